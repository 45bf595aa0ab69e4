/**
 * The one calendar of CareStack (docs/data-model.md, "Calendar"): whatever books a person's time
 * (a provider's or a patient's appointment, an aide's home visit or respite session) is an entry on
 * that person's calendar, and no two entries of one calendar may come closer than the gap the
 * calendar requires between them (0, a provider's buffer, an aide's travel time). This module is
 * the arithmetic, with no storage: which entry a candidate clashes with, and which UTC days an
 * interval touches (the unit the storage guards, see calendar-repository.ts).
 */

/** Whose calendar: a user (provider, aide) or a patient. */
export interface CalendarOwner {
  kind: 'user' | 'patient';
  id: string;
}

/** A place, for calendars whose gaps depend on travel. */
export interface Place {
  lat: number;
  lng: number;
}

/** One booking on a calendar. `start` < `end`, ISO 8601 UTC. */
export interface CalendarEntry {
  /** The booking's own id (an appointment, visit or respite session id). */
  id: string;
  /** What booked the time: tells a reader where the booking lives. */
  kind: 'appointment' | 'visit' | 'respite';
  start: string;
  end: string;
  patientId?: string;
  place?: Place;
}

/**
 * The minutes that must lie between an entry that ends and the next that starts on this calendar
 * (0 for patients, the buffer for a provider, travel time for an aide).
 */
export type GapRule = (earlier: CalendarEntry, later: CalendarEntry) => number;

export const NO_GAP: GapRule = () => 0;

const ms = (iso: string) => Date.parse(iso);

/**
 * The first entry (soonest start) the candidate clashes with: overlapping it in any way, or closer
 * to it than `gap` requires on either side. Entries with an id in `ignore` (the booking being moved)
 * do not count.
 */
export function findClash(
  entries: readonly CalendarEntry[],
  candidate: CalendarEntry,
  gap: GapRule = NO_GAP,
  ignore: ReadonlySet<string> = new Set(),
): CalendarEntry | undefined {
  const s = ms(candidate.start);
  const e = ms(candidate.end);
  return [...entries]
    .filter((x) => x.id !== candidate.id && !ignore.has(x.id))
    .sort((a, b) => ms(a.start) - ms(b.start) || a.id.localeCompare(b.id))
    .find((x) => {
      const xs = ms(x.start);
      const xe = ms(x.end);
      if (xs < e && s < xe) return true; // overlap of any shape
      if (xe <= s) return s - xe < gap(x, candidate) * 60_000; // x before the candidate
      return xs - e < gap(candidate, x) * 60_000; // x after the candidate
    });
}

/** The UTC dates (`YYYY-MM-DD`) an interval [from, to) touches, in order. */
export function utcDaysOf(from: string, to: string): string[] {
  const days: string[] = [];
  const last = new Date(ms(to) - 1).toISOString().slice(0, 10);
  for (let d = new Date(`${from.slice(0, 10)}T00:00:00.000Z`); ; d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    days.push(day);
    if (day >= last) return days;
  }
}

/** `iso` moved by `minutes` (negative: earlier). */
export const shiftIso = (iso: string, minutes: number): string => new Date(ms(iso) + minutes * 60_000).toISOString();
