import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, Text, TimeZone, Version } from './common.js';
import { Contact } from './common.js';

/**
 * Medical concierge (API.md, "Medical concierge"): provider profiles with weekly availability,
 * free slots, appointments booked through the one calendar, lab results, treatment plans.
 */

// ---- Providers -----------------------------------------------------------------------------

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM` local wall-clock time; `24:00` only as the end of a window. */
export const HhMm = z.string().check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (00:00 to 24:00)'));
const HHMM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
/** Checks of windows skip times that are not HH:MM: those are reported once, by HhMm. */
const wellFormed = (w: readonly string[]) => w.every((t) => HHMM.test(t));

/** `["09:00", "17:00"]`: from (inclusive) to (exclusive), local time. */
export const AvailabilityWindow = z.tuple([HhMm, HhMm]).check(
  z.refine(([from, to]) => !wellFormed([from, to]) || minutesOf(to) > minutesOf(from), 'the end must be after the start'),
  z.refine(([from]) => from !== '24:00', 'a window cannot start at 24:00'),
);

const DayWindows = z.array(AvailabilityWindow).check(
  z.maxLength(24),
  z.refine((windows) => {
    if (!windows.every(wellFormed)) return true;
    const sorted = [...windows].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
    return sorted.every((w, i) => i === 0 || minutesOf(w[0]) >= minutesOf(sorted[i - 1]![1]));
  }, 'windows of one day must not overlap'),
);

/** Weekly availability in the provider's zone; a day left out is a day off. */
export const Availability = z
  .strictObject({
    MON: z.optional(DayWindows),
    TUE: z.optional(DayWindows),
    WED: z.optional(DayWindows),
    THU: z.optional(DayWindows),
    FRI: z.optional(DayWindows),
    SAT: z.optional(DayWindows),
    SUN: z.optional(DayWindows),
  })
  .check(z.describe('Local wall-clock windows per weekday, e.g. { "MON": [["09:00","12:00"],["13:00","17:00"]] }'));
export type Availability = z.infer<typeof Availability>;

const SlotMinutes = z.number().check(z.int(), z.gte(5), z.lte(240));
const BufferMinutes = z.number().check(z.int(), z.gte(0), z.lte(120));
const MinNoticeMinutes = z.number().check(z.int(), z.gte(0), z.lte(60 * 24 * 30));
const HorizonDays = z.number().check(z.int(), z.gte(1), z.lte(365));

export const CreateProviderBody = z.strictObject({
  userId: Id.check(z.describe('A clinician user of the org; becomes the providerId')),
  specialty: Text(100),
  clinic: z.optional(Text(200)),
  contact: z.optional(Contact),
  timezone: TimeZone,
  availability: Availability,
  slotMinutes: SlotMinutes,
  bufferMinutes: z.optional(BufferMinutes),
  minNoticeMinutes: z.optional(MinNoticeMinutes),
  horizonDays: z.optional(HorizonDays),
});
export type CreateProviderBody = z.infer<typeof CreateProviderBody>;

export const UpdateProviderBody = z.strictObject({
  version: Version,
  availability: z.optional(Availability),
  timezone: z.optional(TimeZone),
  slotMinutes: z.optional(SlotMinutes),
  bufferMinutes: z.optional(BufferMinutes),
  minNoticeMinutes: z.optional(MinNoticeMinutes),
  horizonDays: z.optional(HorizonDays),
  specialty: z.optional(Text(100)),
  clinic: z.optional(Text(200)),
  contact: z.optional(Contact),
  isActive: z.optional(z.boolean()),
});
export type UpdateProviderBody = z.infer<typeof UpdateProviderBody>;

export const Provider = z.object({
  ...EntityMeta,
  providerId: z.string().check(z.describe('The clinician user id (= id)')),
  displayName: z.optional(z.string()),
  specialty: z.string(),
  clinic: z.optional(z.string()),
  contact: z.optional(z.object({ name: z.string(), relationship: z.optional(z.string()), phoneNumber: z.optional(z.string()), email: z.optional(z.string()) })),
  timezone: z.string(),
  availability: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  slotMinutes: z.number(),
  bufferMinutes: z.number(),
  minNoticeMinutes: z.number(),
  horizonDays: z.number(),
  isActive: z.boolean(),
});
export type Provider = z.infer<typeof Provider>;

export const ProviderParams = z.strictObject({ providerId: Id });
export const ProviderListQuery = z.extend(ListQuery, { specialty: z.optional(Text(100)) });
export type ProviderListQuery = z.infer<typeof ProviderListQuery>;

export const SlotQuery = z.extend(ListQuery, {
  from: IsoDateTime.check(z.describe('Window start (inclusive)')),
  to: IsoDateTime.check(z.describe('Window end (exclusive); at most 31 days after from')),
  durationMinutes: z.optional(z.coerce.number().check(z.int(), z.gte(5), z.lte(24 * 60), z.describe('A multiple of slotMinutes (default slotMinutes)'))),
});
export type SlotQuery = z.infer<typeof SlotQuery>;

export const Slot = z.object({ startAt: IsoDateTime, endAt: IsoDateTime });
export type Slot = z.infer<typeof Slot>;

// ---- Appointments --------------------------------------------------------------------------

export const APPOINTMENT_STATUSES = ['booked', 'checked_in', 'completed', 'cancelled', 'no_show'] as const;
export const AppointmentStatus = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;
export const AppointmentLocation = z.enum(['in_person', 'video', 'phone']);

const DurationMinutes = z.number().check(z.int(), z.gte(5), z.lte(24 * 60));

export const BookAppointmentBody = z.strictObject({
  providerId: Id,
  startAt: IsoDateTime,
  durationMinutes: z.optional(DurationMinutes.check(z.describe('A multiple of the provider\'s slotMinutes (default slotMinutes)'))),
  reason: z.optional(Text(500)),
  location: z.optional(AppointmentLocation),
  override: z.optional(z.boolean().check(z.describe('Staff only: outside availability or notice (never over another appointment)'))),
});
export type BookAppointmentBody = z.infer<typeof BookAppointmentBody>;

export const CancelAppointmentBody = z.strictObject({ reason: Text(500) });
export const RescheduleAppointmentBody = z.strictObject({
  startAt: IsoDateTime,
  durationMinutes: z.optional(DurationMinutes.check(z.describe('Default: the current duration'))),
  override: z.optional(z.boolean().check(z.describe('Staff only, as for booking'))),
});
export type RescheduleAppointmentBody = z.infer<typeof RescheduleAppointmentBody>;
export const CompleteAppointmentBody = z.strictObject({ summary: z.optional(Text(4000)) });

export const Appointment = z.object({
  ...EntityMeta,
  patientId: z.string(),
  providerId: z.string(),
  startAt: IsoDateTime,
  endAt: IsoDateTime,
  durationMinutes: z.number(),
  reason: z.optional(z.string()),
  location: z.optional(AppointmentLocation),
  status: AppointmentStatus,
  override: z.optional(z.boolean()),
  bookedBy: z.string(),
  bookedAt: IsoDateTime,
  rescheduledBy: z.optional(z.string()),
  rescheduledAt: z.optional(IsoDateTime),
  cancelledBy: z.optional(z.string()),
  cancelledAt: z.optional(IsoDateTime),
  cancelReason: z.optional(z.string()),
  checkedInBy: z.optional(z.string()),
  checkedInAt: z.optional(IsoDateTime),
  completedBy: z.optional(z.string()),
  completedAt: z.optional(IsoDateTime),
  summary: z.optional(z.string()),
  noShowBy: z.optional(z.string()),
  noShowAt: z.optional(IsoDateTime),
});
export type Appointment = z.infer<typeof Appointment>;

export const PatientAppointmentsParams = z.strictObject({ patientId: Id });
export const AppointmentParams = z.strictObject({ patientId: Id, appointmentId: Id });
export const PatientAppointmentsQuery = z.extend(ListQuery, {
  from: z.optional(IsoDateTime.check(z.describe('Default now'))),
  status: z.optional(AppointmentStatus),
});
export type PatientAppointmentsQuery = z.infer<typeof PatientAppointmentsQuery>;
export const ProviderAppointmentsQuery = z.extend(ListQuery, {
  from: z.optional(IsoDateTime.check(z.describe('Default now'))),
  to: z.optional(IsoDateTime.check(z.describe('Default: open-ended'))),
});
export type ProviderAppointmentsQuery = z.infer<typeof ProviderAppointmentsQuery>;

// ---- Lab results ---------------------------------------------------------------------------

export const Range = z.strictObject({ low: z.optional(z.number()), high: z.optional(z.number()) });
export const LabFlag = z.enum(['normal', 'low', 'high', 'critical_low', 'critical_high']);
export type LabFlag = z.infer<typeof LabFlag>;
export const LabStatus = z.enum(['preliminary', 'final', 'corrected']);
export type LabStatus = z.infer<typeof LabStatus>;

const LabFields = {
  testCode: z.string().check(z.trim(), z.regex(/^[A-Za-z0-9._:-]{1,40}$/, 'must be 1-40 letters, digits, . _ : -')),
  testName: Text(200),
  value: z.optional(z.number()),
  valueText: z.optional(Text(1000)),
  units: z.optional(Text(40)),
  referenceRange: z.optional(Range),
  criticalRange: z.optional(Range),
  collectedAt: IsoDateTime,
  orderedBy: z.optional(Id),
  attachmentIds: z.optional(z.array(Id).check(z.maxLength(20))),
};
const oneValue = { message: 'give exactly one of value and valueText', path: ['value'] };
const hasOneValue = (b: { value?: number | undefined; valueText?: string | undefined }) => (b.value === undefined) !== (b.valueText === undefined);

export const CreateLabResultBody = z.strictObject({ ...LabFields, status: z.enum(['preliminary', 'final']) }).check(z.refine(hasOneValue, oneValue));
export type CreateLabResultBody = z.infer<typeof CreateLabResultBody>;
export const CorrectLabResultBody = z.strictObject(LabFields).check(z.refine(hasOneValue, oneValue));
export type CorrectLabResultBody = z.infer<typeof CorrectLabResultBody>;

export const LabResult = z.object({
  ...EntityMeta,
  patientId: z.string(),
  testCode: z.string(),
  testName: z.string(),
  value: z.optional(z.number()),
  valueText: z.optional(z.string()),
  units: z.optional(z.string()),
  referenceRange: z.optional(z.object({ low: z.optional(z.number()), high: z.optional(z.number()) })),
  criticalRange: z.optional(z.object({ low: z.optional(z.number()), high: z.optional(z.number()) })),
  collectedAt: IsoDateTime,
  orderedBy: z.optional(z.string()),
  attachmentIds: z.optional(z.array(z.string())),
  status: LabStatus,
  flag: z.nullable(LabFlag),
  publishedAt: z.nullable(IsoDateTime),
  createdBy: z.string(),
  supersedes: z.optional(z.string()),
  supersededBy: z.optional(z.string()),
  acknowledgedBy: z.optional(z.string()),
  acknowledgedAt: z.optional(IsoDateTime),
});
export type LabResult = z.infer<typeof LabResult>;

export const LabResultParams = z.strictObject({ patientId: Id, labResultId: Id });
export const LabResultListQuery = z.extend(ListQuery, { testCode: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,40}$/))) });
export type LabResultListQuery = z.infer<typeof LabResultListQuery>;

// ---- Treatment plans -----------------------------------------------------------------------

export const PlanStatus = z.enum(['draft', 'active', 'completed', 'cancelled']);
export type PlanStatus = z.infer<typeof PlanStatus>;
export const Goal = z.strictObject({ description: Text(500), targetDate: z.optional(IsoDate) });

export const CreateTreatmentPlanBody = z.strictObject({
  title: Text(200),
  summary: Text(2000),
  details: z.optional(Text(10_000)),
  startDate: IsoDate,
  endDate: z.optional(IsoDate),
  goals: z.optional(z.array(Goal).check(z.maxLength(50))),
});
export type CreateTreatmentPlanBody = z.infer<typeof CreateTreatmentPlanBody>;

export const UpdateTreatmentPlanBody = z.strictObject({
  version: Version,
  status: z.optional(PlanStatus),
  title: z.optional(Text(200)),
  summary: z.optional(Text(2000)),
  details: z.optional(Text(10_000)),
  endDate: z.optional(IsoDate),
  goals: z.optional(z.array(Goal).check(z.maxLength(50))),
});
export type UpdateTreatmentPlanBody = z.infer<typeof UpdateTreatmentPlanBody>;

export const TreatmentPlan = z.object({
  ...EntityMeta,
  patientId: z.string(),
  title: z.string(),
  summary: z.string(),
  details: z.optional(z.string()),
  startDate: z.string(),
  endDate: z.optional(z.string()),
  goals: z.array(z.object({ description: z.string(), targetDate: z.optional(z.string()) })),
  status: PlanStatus,
  createdBy: z.string(),
  activatedAt: z.optional(IsoDateTime),
  completedAt: z.optional(IsoDateTime),
  cancelledAt: z.optional(IsoDateTime),
});
export type TreatmentPlan = z.infer<typeof TreatmentPlan>;

export const TreatmentPlanParams = z.strictObject({ patientId: Id, planId: Id });
export const TreatmentPlanListQuery = z.extend(ListQuery, { status: z.optional(PlanStatus) });
export type TreatmentPlanListQuery = z.infer<typeof TreatmentPlanListQuery>;
