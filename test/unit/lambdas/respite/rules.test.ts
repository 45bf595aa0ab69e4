import { describe, expect, it } from 'vitest';
import {
  budgetYear,
  cancellationEffect,
  currentYear,
  lateCheckAt,
  sessionHours,
  sessionTimeProblems,
} from '../../../../lambdas/respite/rules.js';
import { remindersAhead, wholeMinuteAtOrAfter } from '../../../../lambdas/shared/scheduling/timing.js';

describe('respite budget arithmetic', () => {
  it('counts a session in hours with two decimals, the same number for every move', () => {
    expect(sessionHours('2030-03-01T10:00:00.000Z', '2030-03-01T10:30:00.000Z')).toBe(0.5);
    expect(sessionHours('2030-03-01T10:00:00.000Z', '2030-03-04T10:00:00.000Z')).toBe(72);
    expect(sessionHours('2030-03-01T10:00:00.000Z', '2030-03-01T10:40:00.000Z')).toBe(0.67);
  });

  it("puts a session across the new year in its start's year, read in the org's zone", () => {
    // 31 Dec 20:00 in New York to 1 Jan 08:00: starts in the old year there.
    const start = '2030-01-01T01:00:00.000Z'; // 2029-12-31 20:00 in New York
    expect(budgetYear(start, 'America/New_York')).toBe(2029);
    // The same instant is already the new year in UTC and in Tokyo.
    expect(budgetYear(start, 'UTC')).toBe(2030);
    expect(budgetYear(start, 'Asia/Tokyo')).toBe(2030);
    // A session starting on 31 Dec at 23:00 UTC and lasting into January counts in the old year.
    expect(budgetYear('2029-12-31T23:00:00.000Z', 'UTC')).toBe(2029);
    expect(currentYear(new Date('2030-01-01T03:00:00.000Z'), 'America/Los_Angeles')).toBe(2029);
  });

  it('refuses sessions shorter than 30 minutes, longer than 72 hours, ending before they start, or in the past', () => {
    const now = new Date('2030-03-01T09:00:00.000Z');
    expect(sessionTimeProblems('2030-03-01T10:00:00Z', '2030-03-01T10:30:00Z', now)).toEqual([]);
    expect(sessionTimeProblems('2030-03-01T10:00:00Z', '2030-03-04T10:00:00Z', now)).toEqual([]);
    expect(sessionTimeProblems('2030-03-01T10:00:00Z', '2030-03-01T10:29:00Z', now).map((p) => p.path)).toEqual(['body.endAt']);
    expect(sessionTimeProblems('2030-03-01T10:00:00Z', '2030-03-04T10:01:00Z', now).map((p) => p.message)).toEqual(['a session lasts at most 72 hours']);
    expect(sessionTimeProblems('2030-03-01T10:00:00Z', '2030-03-01T09:00:00Z', now).map((p) => p.message)).toEqual(['must be after startAt']);
    expect(sessionTimeProblems('2030-03-01T08:00:00Z', '2030-03-01T09:00:00Z', now).map((p) => p.path)).toEqual(['body.startAt']);
  });
});

describe('cancellation notice', () => {
  const start = '2030-03-10T12:00:00.000Z';
  it('releases the hours of a confirmed session cancelled 24 hours or more before start', () => {
    expect(cancellationEffect('confirmed', start, new Date('2030-03-09T12:00:00.000Z'))).toBe('released');
    expect(cancellationEffect('confirmed', start, new Date('2030-03-01T00:00:00.000Z'))).toBe('released');
  });
  it('consumes them when cancelled later', () => {
    expect(cancellationEffect('confirmed', start, new Date('2030-03-09T12:00:00.001Z'))).toBe('consumed');
    expect(cancellationEffect('confirmed', start, new Date('2030-03-10T11:59:00.000Z'))).toBe('consumed');
  });
  it('touches nothing for a session never confirmed (no hours were reserved)', () => {
    expect(cancellationEffect('requested', start, new Date('2030-03-10T11:59:00.000Z'))).toBe('none');
  });
});

describe('notices', () => {
  it('sets only the notices still ahead, at whole minutes, and the late check 15 minutes after start', () => {
    const start = '2030-03-10T12:00:30.000Z';
    expect(remindersAhead(start, new Date('2030-03-01T00:00:00Z')).map((r) => r.which)).toEqual(['24h', '1h']);
    expect(remindersAhead(start, new Date('2030-03-10T00:00:00Z')).map((r) => r.which)).toEqual(['1h']);
    expect(remindersAhead(start, new Date('2030-03-10T11:30:00Z'))).toEqual([]);
    expect(wholeMinuteAtOrAfter('2030-03-10T11:00:30.000Z')).toBe('2030-03-10T11:01:00.000Z');
    expect(wholeMinuteAtOrAfter('2030-03-10T11:00:00.000Z')).toBe('2030-03-10T11:00:00.000Z');
    expect(lateCheckAt('2030-03-10T12:00:00.000Z')).toBe('2030-03-10T12:15:00.000Z');
  });
});
