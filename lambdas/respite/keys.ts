/**
 * Key formats of the respite items (docs/data-model.md, "Respite"). Only the respite repository
 * imports this module (through entities.ts).
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };
const org = (orgId: string) => `ORG#${orgId}`;
const userPk = (orgId: string, userId: string) => `${org(orgId)}#USER#${userId}`;

export const CaregiverProfileKeys = {
  key: (orgId: string, userId: string): Key => ({ PK: userPk(orgId, userId), SK: 'CAREGIVER' }),
};

export const RespiteBudgetKeys = {
  /** One item per patient and budget year (the org's zone). */
  key: (orgId: string, patientId: string, year: number): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `RESPITE_BUDGET#${year}` }),
};

export const RespiteSessionKeys = {
  /** The session and, under the same prefix, its offers and notices: one Query reads them all. */
  key: (orgId: string, patientId: string, id: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `RESPITE#${id}` }),
  patientPartition: PatientKeys.partition,
  withChildren: (id: string) => `RESPITE#${id}`,
  /** GSI1: the org's queue by status, soonest start first. Moves with the status. */
  byStatus: (orgId: string, status: string, startAt: string, id: string) => ({ GSI1PK: `${org(orgId)}#RESPITE#${status}`, GSI1SK: `${startAt}#${id}` }),
  statusPartition: (orgId: string, status: string) => `${org(orgId)}#RESPITE#${status}`,
  /** GSI2: a patient's sessions, soonest start first. */
  byPatient: (orgId: string, patientId: string, startAt: string, id: string) => ({
    GSI2PK: `${PatientKeys.partition(orgId, patientId)}#RESPITE`,
    GSI2SK: `${startAt}#${id}`,
  }),
  patientIndexPartition: (orgId: string, patientId: string) => `${PatientKeys.partition(orgId, patientId)}#RESPITE`,
};

export const RespiteOfferKeys = {
  key: (orgId: string, patientId: string, sessionId: string, offerId: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `RESPITE#${sessionId}#OFFER#${offerId}`,
  }),
  /** GSI1: an aide's offers (every status), soonest session start first: `GET /me/assignments`. */
  byAide: (orgId: string, aideId: string, startAt: string, offerId: string) => ({
    GSI1PK: `${userPk(orgId, aideId)}#RESPITE_OFFERS`,
    GSI1SK: `${startAt}#${offerId}`,
  }),
  aidePartition: (orgId: string, aideId: string) => `${userPk(orgId, aideId)}#RESPITE_OFFERS`,
};

export const RespiteReminderKeys = {
  /** Derived from (session, which): a replayed fire collides with the first. */
  key: (orgId: string, patientId: string, sessionId: string, which: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `RESPITE#${sessionId}#NOTICE#${which}`,
  }),
};
