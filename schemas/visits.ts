import * as z from 'zod/mini';
import { IsoDate, IsoDateTime, Text } from './common.js';

/**
 * What home visits and respite sessions share (API.md, "Aides, home visits and electronic visit
 * verification"; "Caregiver respite"): places, the reason codes of EVV exceptions and changes, the
 * check-in/check-out body and the check as recorded, and the EVV record. One definition each; the
 * home-health and respite schema modules import them (lambdas/shared/visits/ is the code).
 */

// ---- Places -----------------------------------------------------------------------------------

export const Latitude = z.number().check(z.minimum(-90), z.maximum(90), z.describe('Degrees, -90..90'));
export const Longitude = z.number().check(z.minimum(-180), z.maximum(180), z.describe('Degrees, -180..180'));
export const LatLng = z.strictObject({ lat: Latitude, lng: Longitude });
export type LatLng = z.infer<typeof LatLng>;

// ---- Visit statuses and reason codes ---------------------------------------------------------

export const VISIT_STATUSES = ['scheduled', 'assigned', 'in_progress', 'completed', 'cancelled', 'missed'] as const;
export const VisitStatus = z.enum(VISIT_STATUSES);
export type VisitStatus = z.infer<typeof VisitStatus>;

export const REASON_CODES = ['gps_unavailable', 'service_in_community', 'recipient_elsewhere', 'other'] as const;
export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;

// ---- Checks -----------------------------------------------------------------------------------

/** A check-in or check-out as the aide's device sends it. */
export const CheckBody = z.strictObject({
  location: z.strictObject({
    lat: Latitude,
    lng: Longitude,
    accuracyMeters: z.optional(z.number().check(z.minimum(0), z.maximum(10_000))),
  }),
  at: z.optional(IsoDateTime.check(z.describe('When it happened on the device (default: now); at most 5 minutes ahead'))),
  reasonCode: z.optional(ReasonCode),
  note: z.optional(Text(1000)),
});
export type CheckBody = z.infer<typeof CheckBody>;

const Fix = z.object({ lat: z.number(), lng: z.number(), accuracyMeters: z.optional(z.number()) });

/** A check's fields, with how its distance to the place is given. */
const checkOf = <D extends z.ZodMiniType>(distanceMeters: D) =>
  z.object({
    at: IsoDateTime,
    recordedAt: IsoDateTime,
    location: Fix,
    distanceMeters,
    withinGeofence: z.boolean(),
    reasonCode: z.optional(ReasonCode),
    note: z.optional(z.string()),
  });

/** A check-in or check-out as recorded at a place with coordinates (never refused for its place). */
export const VisitCheck = checkOf(z.number());
export type VisitCheck = z.infer<typeof VisitCheck>;

/**
 * A check as recorded where the place may have no coordinates (a respite session given only an
 * address): no distance to measure, so `distanceMeters` is null and the check is outside.
 */
export const EvvCheck = checkOf(z.nullable(z.number()).check(z.describe('null when the place has no coordinates')));
export type EvvCheck = z.infer<typeof EvvCheck>;

export const EvvException = z.object({
  code: z.string().check(z.describe('`out_of_geofence`')),
  /** Which check raised it. */
  on: z.enum(['check-in', 'check-out']),
  at: IsoDateTime,
  reasonCode: z.optional(ReasonCode),
});
export type EvvException = z.infer<typeof EvvException>;

export const EvvChange = z.object({
  field: z.string(),
  old: z.nullable(z.string()),
  new: z.nullable(z.string()),
  by: z.string(),
  at: IsoDateTime,
  reasonCode: ReasonCode,
  note: z.optional(z.string()),
});
export type EvvChange = z.infer<typeof EvvChange>;

// ---- EVV record --------------------------------------------------------------------------------

export const EvvRecord = z.object({
  visitId: z.string(),
  serviceType: z.string(),
  recipient: z.object({ patientId: z.string(), displayName: z.nullable(z.string()) }),
  date: IsoDate,
  timezone: z.string(),
  location: z.object({ lat: z.number(), lng: z.number(), address: z.string() }),
  provider: z.nullable(z.object({ aideId: z.string(), displayName: z.nullable(z.string()) })),
  begin: z.nullable(IsoDateTime),
  end: z.nullable(IsoDateTime),
  status: VisitStatus,
  exceptions: z.array(EvvException),
  changes: z.array(EvvChange),
  version: z.number(),
});
export type EvvRecord = z.infer<typeof EvvRecord>;
