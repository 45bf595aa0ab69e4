/**
 * Key formats of the home-health items (docs/data-model.md, "Home health"), each in one place.
 * Only the home-health repositories import this module. Aide calendars are the shared calendar's
 * (lambdas/shared/calendar/calendar-repository.ts), not ours.
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };
const org = (orgId: string) => `ORG#${orgId}`;

export const AideKeys = {
  /** Beside the user's profile item, in the user's partition. */
  key: (orgId: string, userId: string): Key => ({ PK: `${org(orgId)}#USER#${userId}`, SK: 'AIDE' }),
  /** GSI1: every aide of the org (the suggestion's first Query), by user id. */
  inOrg: (orgId: string, userId: string) => ({ GSI1PK: `${org(orgId)}#AIDES`, GSI1SK: userId }),
  orgPartition: (orgId: string) => `${org(orgId)}#AIDES`,
};

export const VisitKeys = {
  key: (orgId: string, patientId: string, visitId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `VISIT#${visitId}` }),
  /** GSI1: the org's day board, by the org's local date, soonest first. */
  onDay: (orgId: string, localDate: string, start: string, visitId: string) => ({ GSI1PK: `${org(orgId)}#VISITS#${localDate}`, GSI1SK: `${start}#${visitId}` }),
  dayPartition: (orgId: string, localDate: string) => `${org(orgId)}#VISITS#${localDate}`,
  /** GSI2: a patient's visits by scheduled start (a window is a range of the sort key). */
  ofPatient: (orgId: string, patientId: string, start: string, visitId: string) => ({
    GSI2PK: `${PatientKeys.partition(orgId, patientId)}#VISITS`,
    GSI2SK: `${start}#${visitId}`,
  }),
  patientPartition: (orgId: string, patientId: string) => `${PatientKeys.partition(orgId, patientId)}#VISITS`,
};

export const ServiceLogKeys = {
  /** ULID ids: a visit's logs oldest first is a forward Query. */
  key: (orgId: string, patientId: string, visitId: string, logId: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `VISIT#${visitId}#LOG#${logId}`,
  }),
  prefix: (visitId: string) => `VISIT#${visitId}#LOG#`,
};

export const SupplyUsageKeys = {
  key: (orgId: string, patientId: string, visitId: string, usageId: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `VISIT#${visitId}#SUPPLY#${usageId}`,
  }),
  prefix: (visitId: string) => `VISIT#${visitId}#SUPPLY#`,
};

export const SupplyKeys = {
  key: (orgId: string, supplyId: string): Key => ({ PK: `${org(orgId)}#SUPPLY#${supplyId}`, SK: 'META' }),
  /** GSI1: the org's supplies by name. */
  inOrg: (orgId: string, name: string, supplyId: string) => ({ GSI1PK: `${org(orgId)}#SUPPLIES`, GSI1SK: `${name.toLowerCase()}#${supplyId}` }),
  orgPartition: (orgId: string) => `${org(orgId)}#SUPPLIES`,
  /** Makes a SKU unique in the org: put in the supply's own transaction. */
  sku: (orgId: string, sku: string): Key => ({ PK: `${org(orgId)}#SKU#${sku.toUpperCase()}`, SK: 'SKU' }),
  /** A staff adjustment, in the supply's partition (its ledger). */
  adjustment: (orgId: string, supplyId: string, id: string): Key => ({ PK: `${org(orgId)}#SUPPLY#${supplyId}`, SK: `ADJ#${id}` }),
};
