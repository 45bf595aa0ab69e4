/**
 * The arithmetic of respite (API.md, "Caregiver respite"), with no storage and no clock of its own:
 * how long a session is in budget hours, which budget year it counts in, what a cancellation does
 * to its hours, and when its notices fire.
 */
import type { RespiteSession, RespiteStatus } from '../../schemas/respite.js';
import type { ErrorDetail } from '../shared/errors.js';
import { localDate } from '../shared/scheduling/zoned-time.js';

export const MIN_SESSION_MINUTES = 30;
export const MAX_SESSION_MINUTES = 72 * 60;
/** A cancellation this long or longer before start releases the hours; a later one consumes them. */
export const FREE_CANCELLATION_HOURS = 24;
/** A confirmed session not checked in this long after its start notifies the coordinators. */
export const LATE_CHECK_IN_MINUTES = 15;
/** An offer not answered within this many minutes expires (API.md default). */
export const DEFAULT_OFFER_MINUTES = 240;

const MINUTE = 60_000;

/**
 * Budget hours of a session: its length in hours, rounded to 2 decimals. The same number is
 * reserved, released or used for the session, so the budget's counters always sum what the
 * sessions say, whatever the rounding.
 */
export function sessionHours(startAt: string, endAt: string): number {
  const minutes = Math.round((Date.parse(endAt) - Date.parse(startAt)) / MINUTE);
  return Math.round((minutes / 60) * 100) / 100;
}

/**
 * The budget year a session counts in: the year of its start in the org's zone. A session across
 * the new year (31 December 20:00 to 1 January 08:00) counts wholly in the year it starts in: one budget
 * item per transaction, and a family knows which year's hours a booking takes when they make it.
 */
export function budgetYear(startAt: string, timeZone: string): number {
  return Number(localDate(new Date(startAt), timeZone).slice(0, 4));
}

/** The current year in the org's zone (the budget GET's default). */
export const currentYear = (now: Date, timeZone: string) => Number(localDate(now, timeZone).slice(0, 4));

/** What is wrong with a requested session's times (empty: fine). */
export function sessionTimeProblems(startAt: string, endAt: string, now: Date): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const start = Date.parse(startAt);
  const end = Date.parse(endAt);
  if (start < now.getTime()) problems.push({ path: 'body.startAt', message: 'must not be in the past' });
  if (end <= start) {
    problems.push({ path: 'body.endAt', message: 'must be after startAt' });
    return problems;
  }
  const minutes = (end - start) / MINUTE;
  if (minutes < MIN_SESSION_MINUTES) problems.push({ path: 'body.endAt', message: 'a session lasts at least 30 minutes' });
  if (minutes > MAX_SESSION_MINUTES) problems.push({ path: 'body.endAt', message: 'a session lasts at most 72 hours' });
  return problems;
}

/**
 * What a cancellation does to a session's hours: nothing before confirmation (none were
 * reserved); 24 hours or more before start they go back to the budget (`released`); later, they
 * count as used (`consumed`), as the aide's time was held for them.
 */
export function cancellationEffect(status: RespiteStatus, startAt: string, now: Date): 'released' | 'consumed' | 'none' {
  if (status !== 'confirmed') return 'none';
  return Date.parse(startAt) - now.getTime() >= FREE_CANCELLATION_HOURS * 3_600_000 ? 'released' : 'consumed';
}

/** Who may cancel a session in which status: before it starts (requested or confirmed). */
export const CANCELLABLE: readonly RespiteStatus[] = ['requested', 'confirmed'];


/** When a confirmed session not yet checked in counts as late. */
export const lateCheckAt = (startAt: string) => new Date(Date.parse(startAt) + LATE_CHECK_IN_MINUTES * MINUTE).toISOString();

/** Where a session is, when it was given coordinates (an address alone cannot be verified). */
export const placeOf = (s: Pick<RespiteSession, 'location'>) =>
  s.location.lat !== undefined && s.location.lng !== undefined ? { lat: s.location.lat, lng: s.location.lng } : undefined;
