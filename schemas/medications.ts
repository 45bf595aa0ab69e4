import * as z from 'zod';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, Text, TimeZone, Version } from './common.js';

/** Medication adherence (API.md, "Medication adherence"). */

export const DayOfWeek = z.enum(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']);
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (00:00 to 23:59)');

/** Doses at fixed local times, read in the patient's IANA zone. */
export const TimedSchedule = z
  .strictObject({
    times: z.array(TimeOfDay).min(1).max(12),
    daysOfWeek: z.array(DayOfWeek).min(1).max(7).optional(),
    timezone: TimeZone,
    startDate: IsoDate,
    endDate: IsoDate.optional(),
  })
  .superRefine((s, ctx) => {
    if (new Set(s.times).size !== s.times.length) ctx.addIssue({ code: 'custom', path: ['times'], message: 'times must be distinct' });
    if (s.daysOfWeek && new Set(s.daysOfWeek).size !== s.daysOfWeek.length) {
      ctx.addIssue({ code: 'custom', path: ['daysOfWeek'], message: 'days must be distinct' });
    }
    if (s.endDate && s.endDate < s.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before startDate' });
  });
export type TimedSchedule = z.infer<typeof TimedSchedule>;

/**
 * Taken when needed, at most `maxDosesPerDay` in the patient's local day. `timezone` is that day's
 * zone. @default - the patient record's timezone, else UTC
 */
export const AsNeededSchedule = z.strictObject({
  asNeeded: z.literal(true),
  maxDosesPerDay: z.number().int().min(1).max(48),
  timezone: TimeZone.optional(),
});
export type AsNeededSchedule = z.infer<typeof AsNeededSchedule>;

export const MedicationSchedule = z.union([TimedSchedule, AsNeededSchedule]);
export type MedicationSchedule = z.infer<typeof MedicationSchedule>;

export const MedicationStatus = z.enum(['active', 'paused', 'stopped']);
export type MedicationStatus = z.infer<typeof MedicationStatus>;

export const GraceMinutes = z.number().int().min(15).max(720);

export const CreateMedicationBody = z.strictObject({
  name: Text(200),
  dosage: Text(200),
  instructions: Text(2000).optional(),
  schedule: MedicationSchedule,
  graceMinutes: GraceMinutes.default(60),
});
export type CreateMedicationBody = z.infer<typeof CreateMedicationBody>;

export const UpdateMedicationBody = z.strictObject({
  version: Version,
  status: MedicationStatus.optional(),
  schedule: MedicationSchedule.optional(),
  dosage: Text(200).optional(),
  instructions: Text(2000).nullable().optional(),
  graceMinutes: GraceMinutes.optional(),
});
export type UpdateMedicationBody = z.infer<typeof UpdateMedicationBody>;

export const Medication = z.object({
  ...EntityMeta,
  patientId: z.string(),
  name: z.string(),
  dosage: z.string(),
  instructions: z.string().optional(),
  schedule: MedicationSchedule,
  graceMinutes: z.number().int(),
  status: MedicationStatus,
});
export type Medication = z.infer<typeof Medication>;

export const DoseStatus = z.enum(['due', 'taken', 'skipped', 'refused', 'missed']);
export type DoseStatus = z.infer<typeof DoseStatus>;

export const Dose = z.object({
  id: z.string(),
  patientId: z.string(),
  medicationId: z.string(),
  /** When it was due (scheduled doses) or taken (as-needed doses), ISO 8601 UTC. */
  scheduledFor: IsoDateTime,
  status: DoseStatus,
  /** Confirmed after it had been marked missed. */
  late: z.boolean(),
  asNeeded: z.boolean(),
  confirmedAt: IsoDateTime.optional(),
  confirmedBy: z.string().optional(),
  takenAt: IsoDateTime.optional(),
  reason: z.string().optional(),
  version: z.number().int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Dose = z.infer<typeof Dose>;

export const ConfirmDoseBody = z
  .strictObject({
    status: z.enum(['taken', 'skipped', 'refused']),
    reason: Text(500).optional(),
    takenAt: IsoDateTime.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.status !== 'taken' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: `a ${b.status} dose needs a reason` });
    if (b.status !== 'taken' && b.takenAt) ctx.addIssue({ code: 'custom', path: ['takenAt'], message: 'only a taken dose has takenAt' });
  });
export type ConfirmDoseBody = z.infer<typeof ConfirmDoseBody>;

export const LogAsNeededDoseBody = z.strictObject({
  medicationId: Id,
  takenAt: IsoDateTime,
  reason: Text(500),
});
export type LogAsNeededDoseBody = z.infer<typeof LogAsNeededDoseBody>;

export const MissedDoseAlert = z.object({
  id: z.string(),
  patientId: z.string(),
  doseId: z.string(),
  medicationId: z.string(),
  scheduledFor: IsoDateTime,
  alertedAt: IsoDateTime,
});
export type MissedDoseAlert = z.infer<typeof MissedDoseAlert>;

const Counts = {
  taken: z.number().int(),
  late: z.number().int(),
  skipped: z.number().int(),
  refused: z.number().int(),
  missed: z.number().int(),
  /** taken / (taken + skipped + refused + missed); null when no dose in the window is settled. */
  rate: z.number().nullable(),
};
export const Adherence = z.object({
  from: IsoDateTime,
  to: IsoDateTime,
  ...Counts,
  byMedication: z.array(z.object({ medicationId: z.string(), name: z.string().optional(), ...Counts })),
});
export type Adherence = z.infer<typeof Adherence>;

export const MedicationParams = z.strictObject({ patientId: Id, medicationId: Id });
export const DoseParams = z.strictObject({ patientId: Id, doseId: Id });

/** A window `[from, to)`; defaults: the last 7 days up to a day ahead. */
export const WindowQuery = z
  .strictObject({ from: IsoDateTime.optional(), to: IsoDateTime.optional() })
  .refine((q) => !q.from || !q.to || q.from < q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' });
export const DoseListQuery = ListQuery.extend({ from: IsoDateTime.optional(), to: IsoDateTime.optional() });
