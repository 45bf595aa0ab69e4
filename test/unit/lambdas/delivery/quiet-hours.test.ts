import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../../../lambdas/delivery/quiet-hours.js';

const NIGHT = { start: '22:00', end: '07:00', timezone: 'America/New_York' };
const end = (iso: string, rule = NIGHT) => quietHoursEnd(new Date(iso), rule)?.toISOString();

describe('quiet hours', () => {
  it('across midnight: before midnight they end tomorrow morning, after midnight this morning', () => {
    // 23:30 on 14 Jan in New York (UTC-5) -> 07:00 on 15 Jan = 12:00Z.
    expect(end('2030-01-15T04:30:00Z')).toBe('2030-01-15T12:00:00.000Z');
    // 03:00 on 15 Jan -> 07:00 the same day.
    expect(end('2030-01-15T08:00:00Z')).toBe('2030-01-15T12:00:00.000Z');
  });

  it('start is inside, end is outside', () => {
    expect(end('2030-01-15T03:00:00Z')).toBe('2030-01-15T12:00:00.000Z'); // 22:00 local
    expect(end('2030-01-15T02:59:00Z')).toBeUndefined(); // 21:59 local
    expect(end('2030-01-15T12:00:00Z')).toBeUndefined(); // 07:00 local
    expect(end('2030-01-15T11:59:00Z')).toBe('2030-01-15T12:00:00.000Z'); // 06:59 local
  });

  it('a window within one day', () => {
    const siesta = { start: '13:00', end: '15:30', timezone: 'Europe/Madrid' };
    expect(end('2030-07-01T11:30:00Z', siesta)).toBe('2030-07-01T13:30:00.000Z'); // 13:30 CEST -> 15:30 CEST
    expect(end('2030-07-01T14:00:00Z', siesta)).toBeUndefined(); // 16:00 local
    expect(end('2030-07-01T10:59:00Z', siesta)).toBeUndefined(); // 12:59 local
  });

  it('spring forward: the night is an hour shorter, and the end stays 07:00 local (now EDT)', () => {
    // 10 Mar 2030 is the US switch day. 23:00 EST on the 9th = 04:00Z on the 10th; 07:00 EDT = 11:00Z.
    expect(end('2030-03-10T04:00:00Z')).toBe('2030-03-10T11:00:00.000Z');
  });

  it('fall back: the night is an hour longer, and the end stays 07:00 local (now EST)', () => {
    // 3 Nov 2030: 23:00 EDT on the 2nd = 03:00Z on the 3rd; 07:00 EST = 12:00Z.
    expect(end('2030-11-03T03:00:00Z')).toBe('2030-11-03T12:00:00.000Z');
    // 01:30 happens twice that night; both are inside.
    expect(end('2030-11-03T05:30:00Z')).toBe('2030-11-03T12:00:00.000Z');
    expect(end('2030-11-03T06:30:00Z')).toBe('2030-11-03T12:00:00.000Z');
  });

  it('an end that the clocks skip ends the quiet hours when they jump', () => {
    // Ending 02:30 on the spring-forward day: 02:00 EST jumps to 03:00 EDT = 07:00Z.
    const rule = { start: '23:00', end: '02:30', timezone: 'America/New_York' };
    expect(end('2030-03-10T05:00:00Z', rule)).toBe('2030-03-10T07:00:00.000Z');
  });

  it('reads the user zone, not UTC', () => {
    // 23:00Z is 08:00 in Tokyo (not quiet) and 23:00 in London (quiet until 07:00 = 07:00Z in winter).
    expect(end('2030-01-15T23:00:00Z', { ...NIGHT, timezone: 'Asia/Tokyo' })).toBeUndefined();
    expect(end('2030-01-15T23:00:00Z', { ...NIGHT, timezone: 'Europe/London' })).toBe('2030-01-16T07:00:00.000Z');
  });
});
