import { describe, expect, it } from 'vitest';
import { findClash, NO_GAP, utcDaysOf, type CalendarEntry, type GapRule } from '../../../../lambdas/shared/calendar/calendar.js';

const at = (hhmm: string, day = '2026-03-10') => `${day}T${hhmm}:00.000Z`;
const entry = (id: string, start: string, end: string, extra: Partial<CalendarEntry> = {}): CalendarEntry => ({ id, kind: 'appointment', start, end, ...extra });

describe('findClash', () => {
  const booked = [entry('a', at('10:00'), at('11:00')), entry('b', at('13:00'), at('13:30'))];

  it.each([
    ['same interval', at('10:00'), at('11:00'), 'a'],
    ['a 30-minute booking inside a 60-minute one', at('10:30'), at('11:00'), 'a'],
    ['starting before and ending inside', at('09:30'), at('10:15'), 'a'],
    ['covering it whole', at('09:00'), at('12:00'), 'a'],
    ['covering two: the sooner is named', at('09:00'), at('14:00'), 'a'],
  ])('finds an overlap of any shape: %s', (_, start, end, id) => {
    expect(findClash(booked, entry('new', start, end))?.id).toBe(id);
  });

  it('lets bookings touch end to start when no gap is required', () => {
    expect(findClash(booked, entry('new', at('11:00'), at('13:00')), NO_GAP)).toBeUndefined();
  });

  it('requires the gap on both sides (a buffer widens every booking)', () => {
    const buffer: GapRule = () => 15;
    expect(findClash(booked, entry('new', at('11:10'), at('12:00')), buffer)?.id).toBe('a');
    expect(findClash(booked, entry('new', at('11:15'), at('12:45')), buffer)).toBeUndefined();
    expect(findClash(booked, entry('new', at('11:15'), at('12:50')), buffer)?.id).toBe('b');
  });

  it('passes the earlier and the later entry to the gap rule (travel depends on direction)', () => {
    const seen: string[] = [];
    const rule: GapRule = (earlier, later) => {
      seen.push(`${earlier.id}->${later.id}`);
      return earlier.id === 'a' ? 60 : 0;
    };
    expect(findClash(booked, entry('new', at('11:30'), at('12:00')), rule)?.id).toBe('a');
    expect(seen).toContain('a->new');
    expect(findClash(booked, entry('new', at('12:00'), at('13:00')), rule)).toBeUndefined();
  });

  it('ignores the booking being moved and the candidate itself', () => {
    expect(findClash(booked, entry('new', at('10:30'), at('11:30')), NO_GAP, new Set(['a']))).toBeUndefined();
    expect(findClash(booked, entry('a', at('10:30'), at('11:30')))).toBeUndefined();
  });
});

describe('utcDaysOf', () => {
  it('lists every UTC day an interval touches, end exclusive', () => {
    expect(utcDaysOf(at('23:30'), at('00:30', '2026-03-11'))).toEqual(['2026-03-10', '2026-03-11']);
    expect(utcDaysOf(at('10:00'), at('00:00', '2026-03-11'))).toEqual(['2026-03-10']);
    expect(utcDaysOf(at('10:00'), at('10:00', '2026-03-13'))).toEqual(['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);
  });

  it('spans a 72-hour booking in at most four days', () => {
    expect(utcDaysOf('2026-03-10T00:00:00.000Z', '2026-03-13T00:00:00.000Z')).toHaveLength(3);
    expect(utcDaysOf('2026-03-10T06:00:00.000Z', '2026-03-13T06:00:00.000Z')).toHaveLength(4);
  });
});
