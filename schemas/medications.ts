import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, Text, TimeZone, Version } from './common.js';

/** Medication adherence (API.md, "Medication adherence"). */

export const DayOfWeek = z.enum(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']);
export const TimeOfDay = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day HH:MM (00:00 to 23:59)'));

/** Doses at fixed local times, read in the patient's IANA zone. */
export const TimedSchedule = z
  .strictObject({
    times: z.array(TimeOfDay).check(z.minLength(1), z.maxLength(12)),
    daysOfWeek: z.optional(z.array(DayOfWeek).check(z.minLength(1), z.maxLength(7))),
    timezone: TimeZone,
    startDate: IsoDate,
    endDate: z.optional(IsoDate),
  })
  .check(
    z.superRefine((s, ctx) => {
      if (new Set(s.times).size !== s.times.length) ctx.addIssue({ code: 'custom', path: ['times'], message: 'times must be distinct' });
      if (s.daysOfWeek && new Set(s.daysOfWeek).size !== s.daysOfWeek.length) {
        ctx.addIssue({ code: 'custom', path: ['daysOfWeek'], message: 'days must be distinct' });
      }
      if (s.endDate && s.endDate < s.startDate) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'must not be before startDate' });
    }),
  );
export type TimedSchedule = z.infer<typeof TimedSchedule>;

/**
 * Taken when needed, at most `maxDosesPerDay` in the patient's local day. `timezone` is that day's
 * zone. @default - the patient record's timezone, else UTC
 */
export const AsNeededSchedule = z.strictObject({
  asNeeded: z.literal(true),
  maxDosesPerDay: z.number().check(z.int(), z.gte(1), z.lte(48)),
  timezone: z.optional(TimeZone),
});
export type AsNeededSchedule = z.infer<typeof AsNeededSchedule>;

export const MedicationSchedule = z.union([TimedSchedule, AsNeededSchedule]);
export type MedicationSchedule = z.infer<typeof MedicationSchedule>;

export const MedicationStatus = z.enum(['active', 'paused', 'stopped']);
export type MedicationStatus = z.infer<typeof MedicationStatus>;

export const GraceMinutes = z.number().check(z.int(), z.gte(15), z.lte(720));

export const CreateMedicationBody = z.strictObject({
  name: Text(200),
  dosage: Text(200),
  instructions: z.optional(Text(2000)),
  schedule: MedicationSchedule,
  graceMinutes: z._default(GraceMinutes, 60),
});
export type CreateMedicationBody = z.infer<typeof CreateMedicationBody>;

export const UpdateMedicationBody = z.strictObject({
  version: Version,
  status: z.optional(MedicationStatus),
  schedule: z.optional(MedicationSchedule),
  dosage: z.optional(Text(200)),
  instructions: z.optional(z.nullable(Text(2000))),
  graceMinutes: z.optional(GraceMinutes),
});
export type UpdateMedicationBody = z.infer<typeof UpdateMedicationBody>;

export const Medication = z.object({
  ...EntityMeta,
  patientId: z.string(),
  name: z.string(),
  dosage: z.string(),
  instructions: z.optional(z.string()),
  schedule: MedicationSchedule,
  graceMinutes: z.number().check(z.int()),
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
  confirmedAt: z.optional(IsoDateTime),
  confirmedBy: z.optional(z.string()),
  takenAt: z.optional(IsoDateTime),
  reason: z.optional(z.string()),
  version: z.number().check(z.int()),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Dose = z.infer<typeof Dose>;

export const ConfirmDoseBody = z
  .strictObject({
    status: z.enum(['taken', 'skipped', 'refused']),
    reason: z.optional(Text(500)),
    takenAt: z.optional(IsoDateTime),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.status !== 'taken' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: `a ${b.status} dose needs a reason` });
      if (b.status !== 'taken' && b.takenAt) ctx.addIssue({ code: 'custom', path: ['takenAt'], message: 'only a taken dose has takenAt' });
    }),
  );
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
  taken: z.number().check(z.int()),
  late: z.number().check(z.int()),
  skipped: z.number().check(z.int()),
  refused: z.number().check(z.int()),
  missed: z.number().check(z.int()),
  /** taken / (taken + skipped + refused + missed); null when no dose in the window is settled. */
  rate: z.nullable(z.number()),
};
export const Adherence = z.object({
  from: IsoDateTime,
  to: IsoDateTime,
  ...Counts,
  byMedication: z.array(z.object({ medicationId: z.string(), name: z.optional(z.string()), ...Counts })),
});
export type Adherence = z.infer<typeof Adherence>;

export const MedicationParams = z.strictObject({ patientId: Id, medicationId: Id });
export const DoseParams = z.strictObject({ patientId: Id, doseId: Id });

/** A window `[from, to)`; defaults: the last 7 days up to a day ahead. */
export const WindowQuery = z
  .strictObject({ from: z.optional(IsoDateTime), to: z.optional(IsoDateTime) })
  .check(z.refine((q) => !q.from || !q.to || q.from < q.to || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'must be after from' }));
export const DoseListQuery = z.extend(ListQuery, { from: z.optional(IsoDateTime), to: z.optional(IsoDateTime) });
