/**
 * Times every domain computes the same way: when a one-time schedule may fire (EventBridge
 * Scheduler's `at()` has minute precision), the reminders before a booking's start, and how far a
 * device's clock may run ahead of the server's.
 */

const MINUTE_MS = 60_000;

/** The first whole minute at or after `iso` (a fire never comes before the time it stands for). */
export function wholeMinuteAtOrAfter(iso: string): string {
  return new Date(Math.ceil(Date.parse(iso) / MINUTE_MS) * MINUTE_MS).toISOString();
}

/** The first whole minute strictly after `iso` (a deadline's fire finds the deadline passed). */
export function wholeMinuteAfter(iso: string): string {
  return new Date(Math.floor(Date.parse(iso) / MINUTE_MS) * MINUTE_MS + MINUTE_MS).toISOString();
}

/** The reminders before a booking's start (an appointment, a respite session): 24 h and 1 h, named as their schedules are. */
export const REMINDERS = [
  { which: '24h', minutesBefore: 24 * 60 },
  { which: '1h', minutesBefore: 60 },
] as const;
export type ReminderWhich = (typeof REMINDERS)[number]['which'];

/** The reminders of a booking starting at `startAt` that are still ahead of `now`, with when each is due. */
export function remindersAhead(startAt: string, now: Date): Array<{ which: ReminderWhich; at: string }> {
  return REMINDERS.map((r) => ({ which: r.which, at: new Date(Date.parse(startAt) - r.minutesBefore * MINUTE_MS).toISOString() })).filter(
    (r) => Date.parse(r.at) > now.getTime(),
  );
}

/** A time a device reports (a check-in, an incident's occurrence) may be this far ahead of the server's clock. */
export const DEVICE_CLOCK_TOLERANCE_MS = 5 * MINUTE_MS;

/** Whether a device's time lies further ahead of `now` than its clock may run. */
export function aheadOfServer(at: string, now: Date): boolean {
  return Date.parse(at) > now.getTime() + DEVICE_CLOCK_TOLERANCE_MS;
}
