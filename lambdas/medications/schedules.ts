import type { AsNeededSchedule, Medication, MedicationSchedule, TimedSchedule } from '../../schemas/medications.js';
import * as z from 'zod/mini';
import type { RecurringSchedule } from '../shared/scheduling/scheduler.js';
import { addDays, startOfLocalDay } from '../shared/scheduling/zoned-time.js';

export const isAsNeeded = (s: MedicationSchedule): s is AsNeededSchedule => 'asNeeded' in s;

/**
 * Schedule names of medication adherence: one recurring schedule per time slot
 * `med-<medicationId>-<HHMM>`, one one-time missed-dose check per dose `miss-<doseId>`.
 */
export const MEDICATION_SCHEDULE_NAMES = {
  doseSlot: (medicationId: string, time: string) => `med-${medicationId}-${time.replace(':', '')}`,
  missedCheck: (doseId: string) => `miss-${doseId}`,
};

/** What a slot fire delivers to the scheduled-work function: the slot's local time `HH:MM`. */
export const DoseSlotPayload = z.object({
  kind: z.literal('dose-slot'),
  orgId: z.string(),
  patientId: z.string(),
  medicationId: z.string(),
  time: z.string(),
});
export type DoseSlotPayload = z.infer<typeof DoseSlotPayload>;

/** What a missed-dose check delivers. */
export const MissedCheckPayload = z.object({
  kind: z.literal('dose-missed-check'),
  orgId: z.string(),
  patientId: z.string(),
  medicationId: z.string(),
  doseId: z.string(),
  scheduledFor: z.string(),
});
export type MissedCheckPayload = z.infer<typeof MissedCheckPayload>;

/**
 * The recurring schedules a medication should have right now: one per time slot while it is
 * active, timed and not past its end date; none otherwise. The medication's reminders are exactly
 * this set (names are derived, so "replace" is a diff of names).
 */
export function desiredSchedules(orgId: string, medication: Medication, now: Date): RecurringSchedule[] {
  const s = medication.schedule;
  if (medication.status !== 'active' || isAsNeeded(s)) return [];
  if (s.endDate && startOfLocalDay(addDays(s.endDate, 1), s.timezone) <= now) return [];
  return s.times.map((time) => slotSchedule(orgId, medication, s, time));
}

/** Every name a medication's schedule could have (what to delete when it changes). */
export function scheduleNamesOf(medication: Pick<Medication, 'id' | 'schedule'>): string[] {
  return isAsNeeded(medication.schedule) ? [] : medication.schedule.times.map((t) => MEDICATION_SCHEDULE_NAMES.doseSlot(medication.id, t));
}

function slotSchedule(orgId: string, medication: Medication, s: TimedSchedule, time: string): RecurringSchedule {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const payload: DoseSlotPayload = { kind: 'dose-slot', orgId, patientId: medication.patientId, medicationId: medication.id, time };
  return {
    name: MEDICATION_SCHEDULE_NAMES.doseSlot(medication.id, time),
    cron: { hour, minute, ...(s.daysOfWeek ? { daysOfWeek: s.daysOfWeek } : {}) },
    timezone: s.timezone,
    startDate: s.startDate,
    ...(s.endDate ? { endDate: s.endDate } : {}),
    payload,
  };
}
