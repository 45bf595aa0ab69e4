import type { Availability, LabFlag, PlanStatus, Slot, Weekday } from '../../schemas/concierge.js';
import { findClash, type CalendarEntry, type GapRule } from '../shared/calendar/calendar.js';
import { ValidationError } from '../shared/errors.js';
import { addDays, dayOfWeek, localDate, startOfLocalDay, zonedToUtc } from '../shared/scheduling/zoned-time.js';
import { remindersAhead, type ReminderWhich } from '../shared/scheduling/timing.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What slot computation needs of a provider. */
export interface SlotRules {
  timezone: string;
  availability: Availability;
  slotMinutes: number;
  bufferMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
}

/**
 * An appointment's length: `minutes`, else one slot; a multiple of the provider's `slotMinutes`
 * (400 naming `path` otherwise). Slots (providers) and bookings (appointments) both ask it.
 */
export function appointmentMinutes(provider: Pick<SlotRules, 'slotMinutes'>, minutes: number | undefined, path: string): number {
  const duration = minutes ?? provider.slotMinutes;
  if (duration % provider.slotMinutes !== 0) {
    throw new ValidationError('durationMinutes must be a multiple of the provider\'s slotMinutes', [{ path, message: `must be a multiple of ${provider.slotMinutes}` }]);
  }
  return duration;
}

/** Who sees every lab result and plan of a patient they may see; patient and family see published ones only. */
export const CLINICAL_READERS = ['admin', 'coordinator', 'aide', 'clinician'] as const;

/** The buffer as the calendar's gap rule: every neighbour of a provider's booking keeps it. */
export const bufferGap = (minutes: number): GapRule => () => minutes;

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The instant a local wall-clock time of `date` happens (`24:00` = the next local midnight). */
function localInstant(date: string, time: string, zone: string): Date | undefined {
  return time === '24:00' ? startOfLocalDay(addDays(date, 1), zone) : zonedToUtc(date, time, zone);
}

/**
 * Free slots in [from, to), soonest first (API.md, "Medical concierge"): starts on the provider's
 * grid (every `slotMinutes` from LOCAL midnight, so 09:00 stays 09:00 across daylight saving), the
 * whole slot inside one availability window, not clashing with a booked entry widened by the buffer
 * on both sides (the same `findClash` the booking decides with), none before now + notice, none
 * after now + horizon. Local times come from `zoned-time.ts`, never the process time zone; a local
 * start that a spring-forward skips does not exist, and one that falls back starts once.
 */
export function freeSlots(
  rules: SlotRules,
  window: { from: Date; to: Date; durationMinutes: number; now: Date },
  booked: readonly CalendarEntry[],
): Slot[] {
  const { from, to, durationMinutes, now } = window;
  const earliest = Math.max(from.getTime(), now.getTime() + rules.minNoticeMinutes * MINUTE);
  const latest = Math.min(to.getTime(), now.getTime() + rules.horizonDays * DAY + 1);
  const out: Slot[] = [];
  if (earliest >= latest) return out;
  const gap = bufferGap(rules.bufferMinutes);
  const last = addDays(localDate(new Date(latest), rules.timezone), 1);
  for (let date = addDays(localDate(new Date(earliest), rules.timezone), -1); date <= last; date = addDays(date, 1)) {
    const windows = rules.availability[weekday(date)] ?? [];
    for (const [open, close] of windows) {
      const closeAt = localInstant(date, close, rules.timezone);
      if (!closeAt) continue;
      const first = Math.ceil(minutesOf(open) / rules.slotMinutes) * rules.slotMinutes;
      for (let m = first; m + durationMinutes <= minutesOf(close); m += rules.slotMinutes) {
        const start = zonedToUtc(date, hhmm(m), rules.timezone);
        if (!start) continue; // skipped by a spring-forward
        const s = start.getTime();
        const e = s + durationMinutes * MINUTE;
        if (s < earliest || s >= latest || e > closeAt.getTime()) continue;
        const candidate: CalendarEntry = { id: '', kind: 'appointment', start: start.toISOString(), end: new Date(e).toISOString() };
        if (findClash(booked, candidate, gap)) continue;
        out.push({ startAt: candidate.start, endAt: candidate.end });
      }
    }
  }
  const seen = new Set<string>();
  return out
    .sort((a, b) => Date.parse(a.startAt) - Date.parse(b.startAt))
    .filter((s) => (seen.has(s.startAt) ? false : (seen.add(s.startAt), true)));
}

/** Whether `startAt` for `durationMinutes` is a slot of the provider's grid, availability, notice and horizon (bookings aside). */
export function isSlot(rules: SlotRules, startAt: Date, durationMinutes: number, now: Date): boolean {
  const slots = freeSlots(rules, { from: startAt, to: new Date(startAt.getTime() + 1), durationMinutes, now }, []);
  return slots.some((s) => Date.parse(s.startAt) === startAt.getTime());
}

const WEEKDAY: Record<string, Weekday> = { SUN: 'SUN', MON: 'MON', TUE: 'TUE', WED: 'WED', THU: 'THU', FRI: 'FRI', SAT: 'SAT' };
const weekday = (date: string): Weekday => WEEKDAY[dayOfWeek(date)]!;

// ---- lab results ---------------------------------------------------------------------------

type Range = { low?: number | undefined; high?: number | undefined } | undefined;

/** The flag of a numeric value: critical ranges first, then the reference range; null for text results. */
export function labFlag(value: number | undefined, reference: Range, critical: Range): LabFlag | null {
  if (value === undefined) return null;
  if (critical?.low !== undefined && value <= critical.low) return 'critical_low';
  if (critical?.high !== undefined && value >= critical.high) return 'critical_high';
  if (reference?.low !== undefined && value < reference.low) return 'low';
  if (reference?.high !== undefined && value > reference.high) return 'high';
  return 'normal';
}

export const isCritical = (flag: LabFlag | null | undefined): boolean => flag === 'critical_low' || flag === 'critical_high';

// ---- treatment plans -----------------------------------------------------------------------

const PLAN_NEXT: Record<PlanStatus, readonly PlanStatus[]> = {
  draft: ['active', 'cancelled'],
  active: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

/** draft -> active -> completed, draft | active -> cancelled; completed and cancelled are final. */
export function canPlanTransition(from: PlanStatus, to: PlanStatus): boolean {
  if (from === 'completed' || from === 'cancelled') return false;
  return from === to || PLAN_NEXT[from].includes(to);
}

export const isFinalPlan = (status: PlanStatus): boolean => status === 'completed' || status === 'cancelled';

// ---- appointments --------------------------------------------------------------------------

/** Check-in opens this long before the start (API.md). */
export const CHECK_IN_OPENS_MINUTES = 30;

/** The notices of an appointment: the shared reminders (REMINDERS), start - 24 h and start - 1 h. */
export type NoticeKind = ReminderWhich;

/** The notices still in the future at `now`, with when they fire. */
export function dueNotices(startAt: string, now: Date): Array<{ notice: NoticeKind; at: string }> {
  return remindersAhead(startAt, now).map((r) => ({ notice: r.which, at: r.at }));
}
