import * as z from 'zod/mini';
import { EntityMeta, Id, IsoDateTime, ListQuery, PhoneNumber, Text } from './common.js';
import { EvvChange, EvvCheck, EvvException, Latitude, Longitude } from './visits.js';

/**
 * Caregiver respite (API.md, "Caregiver respite"): caregiver profiles, yearly respite budgets per
 * patient, relief sessions and the offers that staff make to aides.
 */

const Language = z.string().check(z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag (e.g. en, es-MX)'));

// ---- caregiver profiles

export const CAREGIVER_TYPES = ['family', 'guardian', 'friend'] as const;

export const PutCaregiverProfileBody = z.strictObject({
  fullName: Text(200),
  phoneNumber: z.optional(PhoneNumber),
  caregiverType: z.enum(CAREGIVER_TYPES),
  languages: z.optional(z.array(Language).check(z.maxLength(10))),
  preferences: z.optional(Text(2000)),
});
export type PutCaregiverProfileBody = z.infer<typeof PutCaregiverProfileBody>;

export const CaregiverProfile = z.object({
  ...EntityMeta,
  userId: z.string(),
  fullName: z.string(),
  phoneNumber: z.optional(z.string()),
  caregiverType: z.enum(CAREGIVER_TYPES),
  languages: z.optional(z.array(z.string())),
  preferences: z.optional(z.string()),
});
export type CaregiverProfile = z.infer<typeof CaregiverProfile>;

export const CaregiverParams = z.strictObject({ userId: Id });

// ---- budgets

export const Year = z.coerce.number().check(z.int(), z.gte(2000), z.lte(2100), z.describe('Calendar year in the org\'s time zone'));

export const PutRespiteBudgetBody = z.strictObject({
  hoursPerYear: z.number().check(z.gte(0), z.lte(8784), z.multipleOf(0.25), z.describe('Hours of respite per year (quarter hours)')),
  year: z.number().check(z.int(), z.gte(2000), z.lte(2100)),
});
export type PutRespiteBudgetBody = z.infer<typeof PutRespiteBudgetBody>;

export const RespiteBudgetQuery = z.strictObject({ year: z.optional(Year) });
export type RespiteBudgetQuery = z.infer<typeof RespiteBudgetQuery>;

export const RespiteBudget = z.object({
  patientId: z.string(),
  year: z.number(),
  timezone: z.string().check(z.describe('The org zone the year is read in')),
  hoursPerYear: z.number(),
  reservedHours: z.number().check(z.describe('Hours of confirmed and in-progress sessions')),
  usedHours: z.number().check(z.describe('Hours of completed sessions and of sessions cancelled less than 24 h before start')),
  remainingHours: z.number().check(z.describe('hoursPerYear - reservedHours - usedHours')),
  version: z.number(),
});
export type RespiteBudget = z.infer<typeof RespiteBudget>;

// ---- sessions

export const RESPITE_STATUSES = ['requested', 'confirmed', 'in_progress', 'completed', 'cancelled'] as const;
export const RespiteStatus = z.enum(RESPITE_STATUSES);
export type RespiteStatus = z.infer<typeof RespiteStatus>;

export const RespiteLocation = z.strictObject({
  address: Text(500),
  lat: z.optional(Latitude),
  lng: z.optional(Longitude),
});

export const CreateRespiteSessionBody = z.strictObject({
  startAt: IsoDateTime,
  endAt: IsoDateTime.check(z.describe('30 minutes to 72 hours after startAt')),
  location: RespiteLocation,
  needs: z.optional(z.array(Text(100)).check(z.maxLength(20))),
  languages: z.optional(z.array(Language).check(z.maxLength(10))),
  notes: z.optional(Text(2000)),
});
export type CreateRespiteSessionBody = z.infer<typeof CreateRespiteSessionBody>;

export const OFFER_STATUSES = ['offered', 'accepted', 'declined', 'expired'] as const;
export const OfferStatus = z.enum(OFFER_STATUSES);
export type OfferStatus = z.infer<typeof OfferStatus>;

export const RespiteSession = z.object({
  ...EntityMeta,
  patientId: z.string(),
  status: RespiteStatus,
  startAt: IsoDateTime,
  endAt: IsoDateTime,
  hours: z.number().check(z.describe('Length in hours (2 decimals): what the budget reserves and uses')),
  budgetYear: z.number().check(z.describe("The start's year in the org's zone: the budget it counts in")),
  location: z.object({ address: z.string(), lat: z.optional(z.number()), lng: z.optional(z.number()) }),
  needs: z.optional(z.array(z.string())),
  languages: z.optional(z.array(z.string())),
  notes: z.optional(z.string()),
  requestedBy: z.string(),
  aideId: z.nullable(z.string()),
  confirmedAt: z.optional(IsoDateTime),
  // Checks and exceptions as a home visit records them (schemas/visits.ts, lambdas/shared/visits/evv.ts).
  checkIn: z.optional(EvvCheck),
  checkOut: z.optional(EvvCheck),
  exceptions: z.optional(z.array(EvvException)),
  cancelledAt: z.optional(IsoDateTime),
  cancelledBy: z.optional(z.string()),
  cancelReason: z.optional(z.string()),
  cancellation: z.optional(z.enum(['released', 'consumed', 'none']).check(z.describe('What the cancel did to the reserved hours'))),
});
export type RespiteSession = z.infer<typeof RespiteSession>;

export const RespiteOffer = z.object({
  offerId: z.string(),
  sessionId: z.string(),
  patientId: z.string(),
  aideId: z.string(),
  status: OfferStatus,
  expiresAt: IsoDateTime,
  startAt: IsoDateTime,
  endAt: IsoDateTime,
  offeredBy: z.string(),
  answeredAt: z.optional(IsoDateTime),
  declineReason: z.optional(z.string()),
  version: z.number(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type RespiteOffer = z.infer<typeof RespiteOffer>;

/**
 * A session's electronic visit verification record, built by the shared `evvRecord` (lambdas/shared/visits/evv.ts) (the six
 * elements with what happened) with `missing`: what keeps it from being exportable.
 */
export const RespiteEvvRecord = z.object({
  visitId: z.string().check(z.describe('The session id')),
  serviceType: z.string(),
  recipient: z.object({ patientId: z.string(), displayName: z.nullable(z.string()) }),
  date: z.string().check(z.describe('Local date (the org zone) of the begin, else of the start')),
  timezone: z.string(),
  location: z.object({ lat: z.nullable(z.number()), lng: z.nullable(z.number()), address: z.string() }),
  provider: z.nullable(z.object({ aideId: z.string(), displayName: z.nullable(z.string()) })),
  begin: z.nullable(IsoDateTime),
  end: z.nullable(IsoDateTime),
  status: z.string().check(z.describe('In the visits\' terms: scheduled, assigned, in_progress, completed, cancelled')),
  exceptions: z.array(EvvException),
  changes: z.array(EvvChange),
  version: z.number(),
  missing: z.array(z.string()).check(z.describe('Elements missing or reason codes owed: empty when exportable')),
});
export type RespiteEvvRecord = z.infer<typeof RespiteEvvRecord>;

export const RespiteSessionWithOffers = z.extend(RespiteSession, { offers: z.array(RespiteOffer) });

export const PatientRespiteParams = z.strictObject({ patientId: Id });
export const RespiteSessionParams = z.strictObject({ patientId: Id, sessionId: Id });
export type RespiteSessionParams = z.infer<typeof RespiteSessionParams>;
export const RespiteOfferParams = z.strictObject({ patientId: Id, sessionId: Id, offerId: Id });
export type RespiteOfferParams = z.infer<typeof RespiteOfferParams>;

export const RespiteListQuery = z.extend(ListQuery, { status: z.optional(RespiteStatus) });
export type RespiteListQuery = z.infer<typeof RespiteListQuery>;

export const CreateOfferBody = z.strictObject({
  aideId: Id,
  expiresInMinutes: z.optional(z.number().check(z.int(), z.gte(5), z.lte(10_080), z.describe('Default 240'))),
});
export type CreateOfferBody = z.infer<typeof CreateOfferBody>;

export const DeclineOfferBody = z.strictObject({ reason: z.optional(Text(500)) });
export type DeclineOfferBody = z.infer<typeof DeclineOfferBody>;

export const CancelRespiteBody = z.strictObject({ reason: Text(500) });
export type CancelRespiteBody = z.infer<typeof CancelRespiteBody>;


export const AssignmentsQuery = z.extend(ListQuery, {
  from: z.optional(IsoDateTime.check(z.describe('Sessions starting at or after (default: 72 hours before now, so sessions under way show)'))),
  to: z.optional(IsoDateTime),
});
export type AssignmentsQuery = z.infer<typeof AssignmentsQuery>;

export const RespiteAssignment = z.object({
  offerId: z.string(),
  offerStatus: OfferStatus,
  expiresAt: IsoDateTime,
  sessionId: z.string(),
  patientId: z.string(),
  sessionStatus: RespiteStatus,
  startAt: IsoDateTime,
  endAt: IsoDateTime,
  location: z.object({ address: z.string(), lat: z.optional(z.number()), lng: z.optional(z.number()) }),
  confirmed: z.boolean().check(z.describe('The session is confirmed to this aide (their offer was accepted)')),
});
export type RespiteAssignment = z.infer<typeof RespiteAssignment>;
