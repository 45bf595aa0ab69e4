/**
 * The respite items: caregiver profiles, yearly budgets, sessions, offers and notices (keys.ts).
 * Only the respite repository imports this module.
 */
import type { CaregiverProfile, RespiteOffer, RespiteSession } from '../../schemas/respite.js';
import type { Item } from '../shared/data/db.js';
import { entity, pick } from '../shared/data/entity.js';
import { CaregiverProfileKeys, RespiteBudgetKeys, RespiteOfferKeys, RespiteReminderKeys, RespiteSessionKeys } from './keys.js';

export const CaregiverProfileEntity = entity(
  'CaregiverProfile',
  CaregiverProfileKeys,
  pick<CaregiverProfile>(['id', 'version', 'createdAt', 'updatedAt', 'userId', 'fullName', 'phoneNumber', 'caregiverType', 'languages', 'preferences']),
);

/** The budget's counters as stored (`remainingHours` is kept beside them for the conditions). */
export interface StoredBudget {
  hoursPerYear: number;
  reservedHours: number;
  usedHours: number;
  remainingHours: number;
  version: number;
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

export const RespiteBudgetEntity = entity('RespiteBudget', RespiteBudgetKeys, (item: Item): StoredBudget => ({
  hoursPerYear: num(item.hoursPerYear),
  reservedHours: num(item.reservedHours),
  usedHours: num(item.usedHours),
  remainingHours: num(item.remainingHours),
  version: num(item.version),
}));

const sessionFields = pick<RespiteSession>([
  'id', 'version', 'createdAt', 'updatedAt', 'patientId', 'status', 'startAt', 'endAt', 'hours', 'budgetYear', 'location', 'needs',
  'languages', 'notes', 'requestedBy', 'aideId', 'confirmedAt', 'checkIn', 'checkOut', 'exceptions', 'cancelledAt', 'cancelledBy',
  'cancelReason', 'cancellation',
]);

export const RespiteSessionEntity = entity('RespiteSession', RespiteSessionKeys, (item: Item): RespiteSession => ({
  ...sessionFields(item),
  aideId: (item.aideId as string | undefined) ?? null,
}));

export const RespiteOfferEntity = entity(
  'RespiteOffer',
  RespiteOfferKeys,
  pick<RespiteOffer>([
    'offerId', 'sessionId', 'patientId', 'aideId', 'status', 'expiresAt', 'startAt', 'endAt', 'offeredBy', 'answeredAt', 'declineReason',
    'version', 'createdAt', 'updatedAt',
  ]),
);

/** A notice sent for a session (start - 24 h, start - 1 h): its INSERT is the `RespiteReminder` event. */
export const RespiteReminderEntity = entity('RespiteReminder', RespiteReminderKeys);
