import { describe, expect, it } from 'vitest';
import { expandSlots, localDate, offsetMinutes, startOfLocalDay, zonedToUtc } from '../../../../lambdas/shared/scheduling/zoned-time.js';

const NY = 'America/New_York';
const iso = (d: Date | undefined) => d?.toISOString();

describe('zoned wall-clock time', () => {
  it('finds the instant of a local time on either side of a change', () => {
    expect(iso(zonedToUtc('2026-03-07', '08:00', NY))).toBe('2026-03-07T13:00:00.000Z'); // EST
    expect(iso(zonedToUtc('2026-03-09', '08:00', NY))).toBe('2026-03-09T12:00:00.000Z'); // EDT
    expect(iso(zonedToUtc('2026-07-01', '12:30', 'Asia/Kolkata'))).toBe('2026-07-01T07:00:00.000Z');
  });

  it('has no 02:30 on the March switch day and the first 01:30 on the November one', () => {
    expect(zonedToUtc('2026-03-08', '02:30', NY)).toBeUndefined();
    expect(iso(zonedToUtc('2026-11-01', '01:30', NY))).toBe('2026-11-01T05:30:00.000Z'); // still EDT
  });

  it('knows offsets and local days', () => {
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), NY)).toBe(-300);
    expect(offsetMinutes(new Date('2026-07-15T12:00:00Z'), NY)).toBe(-240);
    expect(localDate(new Date('2026-01-15T03:00:00Z'), NY)).toBe('2026-01-14');
    expect(iso(startOfLocalDay('2026-01-15', NY))).toBe('2026-01-15T05:00:00.000Z');
  });
});

describe('slot expansion across daylight-saving changes (America/New_York)', () => {
  const rule = (times: string[], extra: object = {}) => ({ times, timezone: NY, startDate: '2026-01-01', ...extra });
  const window = (from: string, to: string) => [new Date(from), new Date(to)] as const;

  it('keeps 08:00 at 08:00 local across the March switch (the UTC instant moves an hour)', () => {
    const slots = expandSlots(rule(['08:00']), ...window('2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'));
    expect(slots.map((s) => iso(s.at))).toEqual(['2026-03-07T13:00:00.000Z', '2026-03-08T12:00:00.000Z', '2026-03-09T12:00:00.000Z']);
  });

  it('keeps 08:00 at 08:00 local across the November switch', () => {
    const slots = expandSlots(rule(['08:00']), ...window('2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'));
    expect(slots.map((s) => iso(s.at))).toEqual(['2026-10-31T12:00:00.000Z', '2026-11-01T13:00:00.000Z', '2026-11-02T13:00:00.000Z']);
  });

  it('does not fire 02:30 on the March switch day', () => {
    const slots = expandSlots(rule(['02:30']), ...window('2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'));
    expect(slots.map((s) => s.date)).toEqual(['2026-03-07', '2026-03-09']);
  });

  it('fires 01:30 on the November switch day once', () => {
    const slots = expandSlots(rule(['01:30']), ...window('2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z'));
    expect(slots.map((s) => iso(s.at))).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  it('honours days of the week, the start and the end date, oldest first', () => {
    const slots = expandSlots(
      rule(['20:00', '08:00'], { daysOfWeek: ['MON', 'WED'], startDate: '2026-01-06', endDate: '2026-01-14' }),
      ...window('2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'),
    );
    // Mondays/Wednesdays from Tue 6 Jan to Wed 14 Jan: 7, 12, 14.
    expect(slots.map((s) => `${s.date} ${s.time}`)).toEqual([
      '2026-01-07 08:00', '2026-01-07 20:00', '2026-01-12 08:00', '2026-01-12 20:00', '2026-01-14 08:00', '2026-01-14 20:00',
    ]);
  });

  it('excludes the window start and includes its end', () => {
    const at = '2026-01-07T13:00:00Z';
    expect(expandSlots(rule(['08:00']), new Date(at), new Date('2026-01-07T23:00:00Z'))).toEqual([]);
    expect(expandSlots(rule(['08:00']), new Date('2026-01-07T00:00:00Z'), new Date(at))).toHaveLength(1);
  });
});
