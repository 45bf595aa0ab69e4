/**
 * THE way to book an aide (API.md, "Aides, home visits and electronic visit verification"): home
 * visits and respite sessions are entries on the aide's one calendar (`lambdas/shared/calendar/`,
 * owner `{ kind: 'user', id: aideId }`), and no two of them may come closer than the travel time
 * between their places (straight line x 1.2 at the org's travel speed). Whatever books, moves or
 * frees an aide's time builds its calendar change here and hands it to `Calendars.book` together
 * with its own items, so of N parallel overlapping bookings exactly one wins:
 *
 * ```ts
 * const change = aideBooking(aideId, { add: [aideEntry('respite', session.id, start, end, patientId, place)] }, settings.travelSpeedKmh);
 * await new Calendars(db).book(ctx, [change], () => [sessionUpdate, ...], () => session);
 * ```
 *
 * Reassigning is one `book` call with two changes (the new aide's `add`, the old aide's `remove`);
 * cancelling is a `remove` only. The home-health and respite domains both import this module.
 */
import type { CalendarChange } from '../calendar/calendar-repository.js';
import type { CalendarEntry, GapRule, Place } from '../calendar/calendar.js';
import { DEFAULT_TRAVEL_SPEED_KMH, travelMinutes } from './geo.js';

/**
 * How far around a booking its neighbours are read, in minutes: a day on each side. Travel longer
 * than that (600 km at 30 km/h) is beyond any service radius, so no neighbour that matters is missed.
 */
export const AIDE_BOOKING_MARGIN_MINUTES = 24 * 60;

/** The owner of an aide's calendar. */
export const aideOwner = (aideId: string) => ({ kind: 'user' as const, id: aideId });

/**
 * The gap an aide needs between two bookings: the travel time from the earlier one's place to the
 * later one's. A booking without a place (a respite session given only an address) needs none.
 */
export function travelGap(speedKmh: number = DEFAULT_TRAVEL_SPEED_KMH): GapRule {
  return (earlier, later) => (earlier.place && later.place ? travelMinutes(earlier.place, later.place, speedKmh) : 0);
}

/** An entry of an aide's calendar. */
export function aideEntry(
  kind: Extract<CalendarEntry['kind'], 'visit' | 'respite'>,
  id: string,
  start: string,
  end: string,
  patientId: string,
  place?: Place,
): CalendarEntry {
  return { id, kind, start, end, patientId, ...(place ? { place: { lat: place.lat, lng: place.lng } } : {}) };
}

/** One aide's part in a booking: entries to add and to free, with the travel gap and the margin. */
export function aideBooking(
  aideId: string,
  change: { add?: readonly CalendarEntry[]; remove?: ReadonlyArray<Pick<CalendarEntry, 'id' | 'start' | 'end'>> },
  speedKmh: number = DEFAULT_TRAVEL_SPEED_KMH,
): CalendarChange {
  return {
    owner: aideOwner(aideId),
    ...(change.add ? { add: change.add } : {}),
    ...(change.remove ? { remove: change.remove } : {}),
    gap: travelGap(speedKmh),
    margin: AIDE_BOOKING_MARGIN_MINUTES,
  };
}
