import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDate, IsoDateTime, ListQuery, Text, TimeZone, Version } from './common.js';
import { EvvException, EvvRecord, LatLng, Latitude, Longitude, ReasonCode, VisitCheck, VisitStatus } from './visits.js';

// The places, statuses, checks and EVV records home visits share with respite sessions are
// schemas/visits.ts's; re-exported here, where the visit routes read them.
export { CheckBody, EvvChange, EvvException, EvvRecord, LatLng, Latitude, Longitude, REASON_CODES, ReasonCode, VISIT_STATUSES, VisitCheck, VisitStatus } from './visits.js';

// ---- Places (API.md, "Aides, home visits and electronic visit verification") ----------------


/** A skill tag: lower case letters, digits, `_` and `-` (e.g. `wound_care`, `hoyer-lift`). */
export const Skill = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be a skill tag: a-z, 0-9, _ and -, at most 40 characters'));
const Skills = z.array(Skill).check(z.maxLength(50));
const Language = z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'must be a language tag (e.g. en, es, pt-BR)'));

// ---- Aide profiles --------------------------------------------------------------------------

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const HHMM = z.string().check(z.regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'must be HH:MM (00:00..24:00)'));
/** One window of a day, local time in the aide's zone: `["08:00", "16:00"]`, start before end. */
export const TimeWindow = z.tuple([HHMM, HHMM]).check(
  z.refine(([from, to]) => from < to, 'the window must end after it starts'),
);
const DayWindows = z.array(TimeWindow).check(z.maxLength(8));
export const WeeklyAvailability = z.strictObject({
  MON: z.optional(DayWindows),
  TUE: z.optional(DayWindows),
  WED: z.optional(DayWindows),
  THU: z.optional(DayWindows),
  FRI: z.optional(DayWindows),
  SAT: z.optional(DayWindows),
  SUN: z.optional(DayWindows),
});
export type WeeklyAvailability = z.infer<typeof WeeklyAvailability>;

export const PutAideProfileBody = z.strictObject({
  skills: Skills,
  languages: z.optional(z.array(Language).check(z.maxLength(20))),
  homeBase: LatLng,
  serviceRadiusKm: z.number().check(z.minimum(1), z.maximum(500), z.describe('How far from home base the aide takes visits')),
  availability: WeeklyAvailability,
  timezone: TimeZone,
});
export type PutAideProfileBody = z.infer<typeof PutAideProfileBody>;

export const AideStatus = z.enum(['available', 'unavailable']);

export const AideProfile = z.object({
  ...EntityMeta,
  userId: z.string(),
  displayName: z.string(),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  homeBase: LatLng,
  serviceRadiusKm: z.number(),
  availability: WeeklyAvailability,
  timezone: z.string(),
  status: AideStatus,
  /** An `unavailable` switch ends here (absent: until switched back). */
  until: z.optional(IsoDateTime),
});
export type AideProfile = z.infer<typeof AideProfile>;

export const AideParams = z.strictObject({ userId: Id });
export const AideListQuery = z.extend(ListQuery, { skill: z.optional(Skill) });
export type AideListQuery = z.infer<typeof AideListQuery>;

export const SetAvailabilityBody = z.strictObject({
  status: AideStatus,
  until: z.optional(IsoDateTime.check(z.describe('When the switch ends by itself (only with status unavailable)'))),
});
export type SetAvailabilityBody = z.infer<typeof SetAvailabilityBody>;

// ---- Visits ---------------------------------------------------------------------------------


export const VisitLocation = z.strictObject({
  lat: Latitude,
  lng: Longitude,
  address: Text(500),
  geofenceMeters: z.optional(z.number().check(z.int(), z.minimum(50), z.maximum(2000), z.describe('Default 150'))),
});

const MIN_VISIT_MS = 15 * 60_000;
const MAX_VISIT_MS = 12 * 3_600_000;

export const CreateVisitBody = z
  .strictObject({
    serviceType: Text(100),
    scheduledStart: IsoDateTime,
    scheduledEnd: IsoDateTime,
    location: VisitLocation,
    tasks: z.optional(z.array(Text(200)).check(z.maxLength(50))),
    requiredSkills: z.optional(Skills),
    aideId: z.optional(Id),
  })
  .check(
    z.superRefine((b, ctx) => {
      const length = Date.parse(b.scheduledEnd) - Date.parse(b.scheduledStart);
      if (length <= 0) ctx.addIssue({ code: 'custom', path: ['scheduledEnd'], message: 'must be after scheduledStart' });
      else if (length < MIN_VISIT_MS || length > MAX_VISIT_MS) {
        ctx.addIssue({ code: 'custom', path: ['scheduledEnd'], message: 'a visit lasts 15 minutes to 12 hours' });
      }
    }),
  );
export type CreateVisitBody = z.infer<typeof CreateVisitBody>;


export const Visit = z.object({
  ...EntityMeta,
  patientId: z.string(),
  serviceType: z.string(),
  scheduledStart: IsoDateTime,
  scheduledEnd: IsoDateTime,
  /** The org's zone when the visit was made: its local day and the EVV times use it. */
  timezone: z.string(),
  localDate: IsoDate,
  location: z.object({ lat: z.number(), lng: z.number(), address: z.string(), geofenceMeters: z.number() }),
  tasks: z.array(z.string()),
  requiredSkills: z.array(z.string()),
  status: VisitStatus,
  aideId: z.optional(z.string()),
  checkIn: z.optional(VisitCheck),
  checkOut: z.optional(VisitCheck),
  exceptions: z.array(EvvException),
  cancelReason: z.optional(z.string()),
});
export type Visit = z.infer<typeof Visit>;

export const PatientVisitsParams = z.strictObject({ patientId: Id });
export const VisitParams = z.strictObject({ patientId: Id, visitId: Id });
export type VisitParams = z.infer<typeof VisitParams>;

export const PatientVisitsQuery = z.extend(ListQuery, { from: z.optional(IsoDateTime), to: z.optional(IsoDateTime) });
export type PatientVisitsQuery = z.infer<typeof PatientVisitsQuery>;
export const OrgVisitsQuery = z.extend(ListQuery, { date: IsoDate, status: z.optional(VisitStatus) });
export type OrgVisitsQuery = z.infer<typeof OrgVisitsQuery>;

export const AssignVisitBody = z.strictObject({ aideId: Id });
export const CancelVisitBody = z.strictObject({ reason: Text(500) });


export const SuggestedAide = z.object({
  aideId: z.string(),
  displayName: z.string(),
  distanceKm: z.number(),
  /** Where the distance is measured from. */
  from: z.enum(['previous_booking', 'home_base']),
  skills: z.array(z.string()),
});
export const SuggestedAides = z.object({ items: z.array(SuggestedAide) });

// ---- EVV ------------------------------------------------------------------------------------


export const PatchEvvBody = z
  .strictObject({
    version: Version,
    begin: z.optional(IsoDateTime),
    end: z.optional(IsoDateTime),
    reasonCode: ReasonCode,
    note: z.optional(Text(1000)),
  })
  .check(
    z.superRefine((b, ctx) => {
      if (b.begin && b.end && Date.parse(b.end) <= Date.parse(b.begin)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after begin' });
    }),
  );
export type PatchEvvBody = z.infer<typeof PatchEvvBody>;

export const EvvExportQuery = z.strictObject({ from: IsoDate, to: IsoDate, format: z.optional(z.enum(['json', 'csv'])) });
export type EvvExportQuery = z.infer<typeof EvvExportQuery>;
export const EvvExport = z.object({
  visits: z.array(EvvRecord),
  incomplete: z.array(z.object({ visitId: z.string(), missing: z.array(z.string()) })),
});
export type EvvExport = z.infer<typeof EvvExport>;
/** `format=csv`: text/csv, one header row, one row per exportable visit. */
export const EvvCsv = z.string().check(z.describe('text/csv (format=csv)'));

// ---- Day route ------------------------------------------------------------------------------

export const RouteQuery = z.strictObject({ date: IsoDate });
export const RouteStop = z.object({
  kind: z.string().check(z.describe('What booked the time: visit, respite')),
  id: z.string(),
  patientId: z.nullable(z.string()),
  start: IsoDateTime,
  end: IsoDateTime,
  place: z.nullable(z.object({ lat: z.number(), lng: z.number() })),
  distanceKm: z.number(),
  travelMinutes: z.number(),
  tight: z.boolean(),
});
export const DayRoute = z.object({
  date: IsoDate,
  timezone: z.string(),
  stops: z.array(RouteStop),
  totals: z.object({
    stops: z.number(),
    distanceKm: z.number(),
    travelMinutes: z.number(),
    homeDistanceKm: z.number().check(z.describe('The way back home from the last stop (included in the totals)')),
  }),
});
export type DayRoute = z.infer<typeof DayRoute>;

// ---- Supplies -------------------------------------------------------------------------------

const Count = z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000));
const PositiveCount = z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000));

export const CreateSupplyBody = z.strictObject({
  name: Text(200),
  sku: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a SKU: letters, digits, . _ -')),
  unit: Text(40),
  quantity: Count,
  reorderLevel: Count,
});
export type CreateSupplyBody = z.infer<typeof CreateSupplyBody>;

export const Supply = z.object({
  ...EntityMeta,
  name: z.string(),
  sku: z.string(),
  unit: z.string(),
  quantity: z.number(),
  reorderLevel: z.number(),
});
export type Supply = z.infer<typeof Supply>;

export const SupplyParams = z.strictObject({ supplyId: Id });
export const SupplyListQuery = z.extend(ListQuery, { below: z.optional(z.enum(['reorder'])) });
export type SupplyListQuery = z.infer<typeof SupplyListQuery>;

export const AdjustSupplyBody = z.strictObject({
  delta: z.number().check(z.int(), z.minimum(-1_000_000), z.maximum(1_000_000), z.refine((n) => n !== 0, 'must not be 0')),
  reason: Text(500),
});
export type AdjustSupplyBody = z.infer<typeof AdjustSupplyBody>;

/** One change of stock: an adjustment by staff, or a use on a visit. */
export const SupplyMovement = z.object({
  id: z.string(),
  supplyId: z.string(),
  delta: z.number(),
  reason: z.optional(z.string()),
  visitId: z.optional(z.string()),
  patientId: z.optional(z.string()),
  by: z.string(),
  at: IsoDateTime,
});
export type SupplyMovement = z.infer<typeof SupplyMovement>;

export const UseSupplyBody = z.strictObject({ supplyId: Id, quantity: PositiveCount });
export type UseSupplyBody = z.infer<typeof UseSupplyBody>;

// ---- Service logs ---------------------------------------------------------------------------

export const CreateServiceLogBody = z.strictObject({
  description: Text(5000),
  tasksCompleted: z.optional(z.array(Text(200)).check(z.maxLength(50))),
  serviceMinutes: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(24 * 60))),
});
export type CreateServiceLogBody = z.infer<typeof CreateServiceLogBody>;

export const ServiceLog = z.object({
  ...EntityMeta,
  patientId: z.string(),
  visitId: z.string(),
  description: z.string(),
  tasksCompleted: z.array(z.string()),
  serviceMinutes: z.optional(z.number()),
  authorId: z.string(),
});
export type ServiceLog = z.infer<typeof ServiceLog>;
