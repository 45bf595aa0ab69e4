import { afterEach, describe, expect, it } from 'vitest';
import type { CalendarEntry } from '../../../../lambdas/shared/calendar/calendar.js';
import { canPlanTransition, dueNotices, freeSlots, isSlot, labFlag, type SlotRules } from '../../../../lambdas/concierge/rules.js';
import { Availability, CreateProviderBody } from '../../../../schemas/concierge.js';

const rules = (over: Partial<SlotRules> = {}): SlotRules => ({
  timezone: 'UTC',
  availability: {},
  slotMinutes: 30,
  bufferMinutes: 0,
  minNoticeMinutes: 0,
  horizonDays: 365,
  ...over,
});
const at = (iso: string) => new Date(iso);
const starts = (r: SlotRules, from: string, to: string, opts: { now?: string; duration?: number; booked?: CalendarEntry[] } = {}) =>
  freeSlots(r, { from: at(from), to: at(to), durationMinutes: opts.duration ?? r.slotMinutes, now: at(opts.now ?? '2027-01-01T00:00:00Z') }, opts.booked ?? []).map((s) => s.startAt);
const entry = (start: string, end: string, id = 'A1'): CalendarEntry => ({ id, kind: 'appointment', start, end });

describe('free slots: the grid in local time', () => {
  it('keeps 09:00 New York at 09:00 across the March switch (14:00Z before, 13:00Z after)', () => {
    const r = rules({ timezone: 'America/New_York', slotMinutes: 60, availability: { SUN: [['09:00', '11:00']] } });
    expect(starts(r, '2027-03-07T00:00:00Z', '2027-03-15T00:00:00Z')).toEqual([
      '2027-03-07T14:00:00.000Z', '2027-03-07T15:00:00.000Z',
      '2027-03-14T13:00:00.000Z', '2027-03-14T14:00:00.000Z',
    ]);
  });

  it('has no slot at a local time the spring-forward skips (New York, 02:00-03:00 on 14 March 2027)', () => {
    const r = rules({ timezone: 'America/New_York', availability: { SUN: [['01:00', '04:00']] } });
    expect(starts(r, '2027-03-14T00:00:00Z', '2027-03-15T00:00:00Z')).toEqual([
      '2027-03-14T06:00:00.000Z', // 01:00 EST
      '2027-03-14T06:30:00.000Z', // 01:30 EST
      '2027-03-14T07:00:00.000Z', // 03:00 EDT
      '2027-03-14T07:30:00.000Z', // 03:30 EDT (ends 04:00 EDT)
    ]);
  });

  it('keeps 09:00 Berlin at 09:00 across the October switch (07:00Z before, 08:00Z after)', () => {
    const r = rules({ timezone: 'Europe/Berlin', availability: { SUN: [['09:00', '10:00']] } });
    expect(starts(r, '2027-10-24T00:00:00Z', '2027-11-01T00:00:00Z')).toEqual([
      '2027-10-24T07:00:00.000Z', '2027-10-24T07:30:00.000Z',
      '2027-10-31T08:00:00.000Z', '2027-10-31T08:30:00.000Z',
    ]);
  });

  it('offers a repeated fall-back hour once (Berlin, 02:00-03:00 on 31 October 2027)', () => {
    const r = rules({ timezone: 'Europe/Berlin', slotMinutes: 60, availability: { SUN: [['01:00', '04:00']] } });
    const got = starts(r, '2027-10-30T12:00:00Z', '2027-10-31T12:00:00Z');
    expect(got).toEqual(['2027-10-30T23:00:00.000Z', '2027-10-31T00:00:00.000Z', '2027-10-31T02:00:00.000Z']);
    expect(new Set(got).size).toBe(got.length);
  });

  it('anchors the grid to local midnight: a 09:10 opening starts at 09:20 on a 20-minute grid', () => {
    const r = rules({ slotMinutes: 20, availability: { MON: [['09:10', '10:00']] } });
    expect(starts(r, '2027-01-04T00:00:00Z', '2027-01-05T00:00:00Z')).toEqual(['2027-01-04T09:20:00.000Z', '2027-01-04T09:40:00.000Z']);
  });

  it('handles a local afternoon that crosses midnight UTC (Los Angeles, Monday 15:00-19:00)', () => {
    const r = rules({ timezone: 'America/Los_Angeles', slotMinutes: 60, availability: { MON: [['15:00', '19:00']] } });
    expect(starts(r, '2027-01-04T00:00:00Z', '2027-01-06T00:00:00Z')).toEqual([
      '2027-01-04T23:00:00.000Z', '2027-01-05T00:00:00.000Z', '2027-01-05T01:00:00.000Z', '2027-01-05T02:00:00.000Z',
    ]);
  });

  it('places longer appointments every slotMinutes, whole inside a window', () => {
    const r = rules({ availability: { MON: [['09:00', '10:30'], ['13:00', '14:00']] } });
    expect(starts(r, '2027-01-04T00:00:00Z', '2027-01-05T00:00:00Z', { duration: 60 })).toEqual([
      '2027-01-04T09:00:00.000Z', '2027-01-04T09:30:00.000Z', '2027-01-04T13:00:00.000Z',
    ]);
  });

  it('does not depend on the process time zone', () => {
    const r = rules({ timezone: 'America/New_York', slotMinutes: 60, availability: { SUN: [['09:00', '11:00']] } });
    const before = starts(r, '2027-03-07T00:00:00Z', '2027-03-15T00:00:00Z');
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati';
      expect(new Date('2027-03-07T00:00:00Z').getHours()).toBe(14); // the process zone did change
      expect(starts(r, '2027-03-07T00:00:00Z', '2027-03-15T00:00:00Z')).toEqual(before);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('free slots: bookings, buffer, notice, horizon', () => {
  const monday = rules({ availability: { MON: [['09:00', '12:00']] } });
  const day = ['2027-01-04T00:00:00Z', '2027-01-05T00:00:00Z'] as const;

  it('leaves out slots overlapping a booking in any way', () => {
    const booked = [entry('2027-01-04T10:00:00.000Z', '2027-01-04T10:45:00.000Z')];
    expect(starts(monday, ...day, { booked })).toEqual([
      '2027-01-04T09:00:00.000Z', '2027-01-04T09:30:00.000Z', '2027-01-04T11:00:00.000Z', '2027-01-04T11:30:00.000Z',
    ]);
  });

  it('widens bookings by the buffer on both sides', () => {
    const booked = [entry('2027-01-04T10:00:00.000Z', '2027-01-04T10:30:00.000Z')];
    expect(starts({ ...monday, bufferMinutes: 15 }, ...day, { booked })).toEqual([
      '2027-01-04T09:00:00.000Z', '2027-01-04T11:00:00.000Z', '2027-01-04T11:30:00.000Z',
    ]);
  });

  it('offers nothing before now + minimum notice', () => {
    expect(starts({ ...monday, minNoticeMinutes: 60 }, ...day, { now: '2027-01-04T08:50:00Z' })[0]).toBe('2027-01-04T10:00:00.000Z');
  });

  it('offers nothing after now + horizon', () => {
    const r = rules({ horizonDays: 1, availability: { MON: [['09:00', '10:00']], TUE: [['09:00', '10:00']] } });
    expect(starts(r, '2027-01-04T00:00:00Z', '2027-01-06T00:00:00Z', { now: '2027-01-04T09:15:00Z' })).toEqual([
      '2027-01-04T09:30:00.000Z', '2027-01-05T09:00:00.000Z',
    ]);
  });

  it('tells a slot from a time off the grid or outside availability', () => {
    const now = at('2027-01-01T00:00:00Z');
    expect(isSlot(monday, at('2027-01-04T09:30:00Z'), 30, now)).toBe(true);
    expect(isSlot(monday, at('2027-01-04T09:15:00Z'), 30, now)).toBe(false);
    expect(isSlot(monday, at('2027-01-04T11:30:00Z'), 60, now)).toBe(false);
    expect(isSlot(monday, at('2027-01-05T09:30:00Z'), 30, now)).toBe(false);
  });
});

describe('availability validation', () => {
  const valid = { userId: 'u1', specialty: 'GP', timezone: 'Europe/Berlin', availability: { MON: [['09:00', '12:00'], ['13:00', '17:00']] }, slotMinutes: 30 };
  const paths = (input: unknown) => {
    const r = CreateProviderBody.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };
  it('accepts windows that touch but do not overlap', () => {
    expect(Availability.safeParse({ MON: [['09:00', '12:00'], ['12:00', '24:00']] }).success).toBe(true);
    expect(paths(valid)).toEqual([]);
  });
  it('names the bad field', () => {
    expect(paths({ ...valid, availability: { MON: [['09:00', '12:00'], ['11:00', '13:00']] } })).toEqual(['availability.MON']);
    expect(paths({ ...valid, availability: { TUE: [['12:00', '09:00']] } })).toEqual(['availability.TUE.0']);
    expect(paths({ ...valid, availability: { FUN: [['09:00', '12:00']] } })).toEqual(['availability']);
    expect(paths({ ...valid, availability: { MON: [['9am', '12:00']] } })).toEqual(['availability.MON.0.0']);
    expect(paths({ ...valid, timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(paths({ ...valid, slotMinutes: 4 })).toEqual(['slotMinutes']);
    expect(paths({ ...valid, horizonDays: 366 })).toEqual(['horizonDays']);
  });
});

describe('lab flags', () => {
  const ref = { low: 3.5, high: 5.0 };
  const crit = { low: 2.5, high: 6.5 };
  it.each([
    [4.2, 'normal'], [3.4, 'low'], [5.1, 'high'], [2.5, 'critical_low'], [1.0, 'critical_low'], [6.5, 'critical_high'],
  ] as const)('%s -> %s', (value, flag) => {
    expect(labFlag(value, ref, crit)).toBe(flag);
  });
  it('is null for a text value, normal without ranges', () => {
    expect(labFlag(undefined, ref, crit)).toBeNull();
    expect(labFlag(99, undefined, undefined)).toBe('normal');
  });
});

describe('treatment plan transitions', () => {
  it('goes draft -> active -> completed, and draft | active -> cancelled', () => {
    expect(canPlanTransition('draft', 'active')).toBe(true);
    expect(canPlanTransition('active', 'completed')).toBe(true);
    expect(canPlanTransition('draft', 'cancelled')).toBe(true);
    expect(canPlanTransition('active', 'cancelled')).toBe(true);
    expect(canPlanTransition('draft', 'completed')).toBe(false);
    expect(canPlanTransition('active', 'draft')).toBe(false);
  });
  it('keeps completed and cancelled final', () => {
    for (const to of ['draft', 'active', 'completed', 'cancelled'] as const) {
      expect(canPlanTransition('completed', to)).toBe(false);
      expect(canPlanTransition('cancelled', to)).toBe(false);
    }
  });
});

describe('appointment notices', () => {
  it('are start - 24 h and start - 1 h, only those still ahead at booking', () => {
    const start = '2027-01-10T15:00:00.000Z';
    expect(dueNotices(start, at('2027-01-08T00:00:00Z'))).toEqual([
      { notice: '24h', at: '2027-01-09T15:00:00.000Z' },
      { notice: '1h', at: '2027-01-10T14:00:00.000Z' },
    ]);
    expect(dueNotices(start, at('2027-01-10T00:00:00Z')).map((n) => n.notice)).toEqual(['1h']);
    expect(dueNotices(start, at('2027-01-10T14:30:00Z'))).toEqual([]);
  });
});

afterEach(() => undefined);
