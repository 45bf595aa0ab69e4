/**
 * Home-health rules with no storage and no clock of their own: visit transitions, an aide's
 * availability, where an aide will be before a visit, the ranking of suggestions, a day's route,
 * and the times of the late and missed checks.
 */
import type { AideProfile, VisitStatus, WeeklyAvailability } from '../../schemas/home-health.js';
import type { CalendarEntry, Place } from '../shared/calendar/calendar.js';
import { localDate, localParts } from '../shared/scheduling/zoned-time.js';
import { wholeMinuteAtOrAfter } from '../shared/scheduling/timing.js';
import { distanceKm, round1, travelMinutes } from '../shared/visits/geo.js';

/** Statuses an assignment may start from or repeat in (a visit under way or over keeps its aide). */
export const ASSIGNABLE: readonly VisitStatus[] = ['scheduled', 'assigned'];
/** Statuses in which the assigned aide may log supplies and service notes. */
export const LOGGABLE: readonly VisitStatus[] = ['assigned', 'in_progress', 'completed'];
/** Cancel: anything not yet under way or over. */
export const CANCELLABLE: readonly VisitStatus[] = ['scheduled', 'assigned'];

/** Notify coordinators this long after an unchecked scheduled start (API.md). */
export const LATE_AFTER_MINUTES = 15;

const WEEKDAY_OF_DATE = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const hhmm = (p: { hour: number; minute: number }) => `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;

/**
 * Whether the weekly availability (local times in `timezone`) holds [start, end) in one window of
 * one local day. A visit that crosses local midnight fits only a window ending at `24:00` and one
 * starting at `00:00` the next day, which is not supported: it is not available.
 */
export function withinWeeklyAvailability(availability: WeeklyAvailability, timezone: string, start: string, end: string): boolean {
  const s = new Date(start);
  const e = new Date(end);
  const day = localDate(s, timezone);
  const endDay = localDate(new Date(e.getTime() - 1), timezone);
  if (day !== endDay) return false;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const weekday = WEEKDAY_OF_DATE[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
  const from = hhmm(localParts(s, timezone));
  const endParts = localParts(e, timezone);
  const to = localDate(e, timezone) !== day ? '24:00' : hhmm(endParts);
  return (availability[weekday] ?? []).some(([a, b]) => a <= from && to <= b);
}

/** The availability switch: unavailable until `until` (or until switched back). */
export function switchedOn(profile: Pick<AideProfile, 'status' | 'until'>, start: string, end: string): boolean {
  if (profile.status === 'available') return true;
  // Unavailable until a time: available for a visit that starts after it.
  return profile.until !== undefined && Date.parse(profile.until) <= Date.parse(start) && Date.parse(start) < Date.parse(end);
}

/**
 * Where the aide will be just before a visit: the place of the latest booking that ends by the
 * visit's start on the same local day (the aide's zone), else home base.
 */
export function placeBefore(
  entries: readonly CalendarEntry[],
  visit: { id: string; start: string },
  timezone: string,
  homeBase: Place,
): { place: Place; from: 'previous_booking' | 'home_base' } {
  const day = localDate(new Date(visit.start), timezone);
  const before = entries
    .filter((e) => e.id !== visit.id && e.place && Date.parse(e.end) <= Date.parse(visit.start) && localDate(new Date(e.start), timezone) === day)
    .sort((a, b) => Date.parse(b.end) - Date.parse(a.end) || b.id.localeCompare(a.id));
  const prev = before[0];
  return prev?.place ? { place: prev.place, from: 'previous_booking' } : { place: homeBase, from: 'home_base' };
}

/** Nearest first by `distanceKm`, ties by user id. */
export function rankSuggestions<T extends { aideId: string; distanceKm: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.distanceKm - b.distanceKm || a.aideId.localeCompare(b.aideId));
}

export interface RouteStop {
  kind: string;
  id: string;
  patientId: string | null;
  start: string;
  end: string;
  place: Place | null;
  distanceKm: number;
  travelMinutes: number;
  tight: boolean;
}

/**
 * A day's bookings as a route: each stop with the straight-line distance and the travel time from
 * the previous stop (the first from home base), `tight` where that travel does not fit between the
 * previous stop's end and this one's start; totals include the way back home from the last place.
 * A booking without a place adds no distance and leaves the aide where they were.
 */
export function routeLegs(entries: readonly CalendarEntry[], homeBase: Place, speedKmh: number) {
  const sorted = [...entries].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  let here = homeBase;
  let prevEnd: string | undefined;
  let km = 0;
  let minutes = 0;
  const stops: RouteStop[] = sorted.map((e) => {
    const d = e.place ? distanceKm(here, e.place) : 0;
    const t = e.place ? travelMinutes(here, e.place, speedKmh) : 0;
    const tight = prevEnd !== undefined && (Date.parse(e.start) - Date.parse(prevEnd)) / 60_000 < t;
    km += d;
    minutes += t;
    if (e.place) here = e.place;
    prevEnd = e.end;
    return {
      kind: e.kind, id: e.id, patientId: e.patientId ?? null, start: e.start, end: e.end,
      place: e.place ?? null, distanceKm: round1(d), travelMinutes: round1(t), tight,
    };
  });
  const homeKm = stops.length ? distanceKm(here, homeBase) : 0;
  const homeMinutes = stops.length ? travelMinutes(here, homeBase, speedKmh) : 0;
  return {
    stops,
    totals: { stops: stops.length, distanceKm: round1(km + homeKm), travelMinutes: round1(minutes + homeMinutes), homeDistanceKm: round1(homeKm) },
  };
}

/** When the late check fires: 15 minutes after the scheduled start. */
export const lateCheckAt = (scheduledStart: string) => wholeMinuteAtOrAfter(new Date(Date.parse(scheduledStart) + LATE_AFTER_MINUTES * 60_000).toISOString());
/** When the missed check fires: at the scheduled end. */
export const missedCheckAt = (scheduledEnd: string) => wholeMinuteAtOrAfter(scheduledEnd);
