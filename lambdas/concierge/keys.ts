/**
 * Key formats of the concierge items (docs/data-model.md, "Medical concierge"). Only the concierge
 * repositories import this module. Calendar days are the shared calendar's (calendar-repository.ts).
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };
const org = (orgId: string) => `ORG#${orgId}`;

export const ProviderKeys = {
  key: (orgId: string, providerId: string): Key => ({ PK: `${org(orgId)}#PROV#${providerId}`, SK: 'PROFILE' }),
  /** GSI1: the org's directory, by specialty. Moves with the specialty. */
  directory: (orgId: string, specialty: string, providerId: string) => ({
    GSI1PK: `${org(orgId)}#PROVIDERS`,
    GSI1SK: `${specialty.toLowerCase()}#${providerId}`,
  }),
  directoryPartition: (orgId: string) => `${org(orgId)}#PROVIDERS`,
  specialtyPrefix: (specialty: string) => `${specialty.toLowerCase()}#`,
};

/** Sort key part of a time-ordered index: the start, then the id (equal starts stay apart). */
const at = (startAt: string, id: string) => `${startAt}#${id}`;

export const AppointmentKeys = {
  /** The appointment itself: GetItem by id under its patient. */
  key: (orgId: string, patientId: string, id: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `APPT#${id}` }),
  /** GSI1: the patient's appointments by start. Moves on reschedule. */
  byPatient: (orgId: string, patientId: string, startAt: string, id: string) => ({
    GSI1PK: `${PatientKeys.partition(orgId, patientId)}#APPTS`,
    GSI1SK: at(startAt, id),
  }),
  patientPartition: (orgId: string, patientId: string) => `${PatientKeys.partition(orgId, patientId)}#APPTS`,
  /** GSI2: the provider's appointments by start. Moves on reschedule. */
  byProvider: (orgId: string, providerId: string, startAt: string, id: string) => ({
    GSI2PK: `${org(orgId)}#PROV#${providerId}#APPTS`,
    GSI2SK: at(startAt, id),
  }),
  providerPartition: (orgId: string, providerId: string) => `${org(orgId)}#PROV#${providerId}#APPTS`,
};

export const LabResultKeys = {
  /** ULID ids: the patient's results in creation order. */
  key: (orgId: string, patientId: string, id: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `LAB#${id}` }),
  /** GSI1: the patient's results, newest publishedAt (else createdAt) first. */
  byPatient: (orgId: string, patientId: string, sortAt: string, id: string) => ({
    GSI1PK: `${PatientKeys.partition(orgId, patientId)}#LABS`,
    GSI1SK: at(sortAt, id),
  }),
  patientPartition: (orgId: string, patientId: string) => `${PatientKeys.partition(orgId, patientId)}#LABS`,
  /** GSI2: one test's trend for the patient. */
  byTest: (orgId: string, patientId: string, testCode: string, sortAt: string, id: string) => ({
    GSI2PK: `${PatientKeys.partition(orgId, patientId)}#LAB#${testCode}`,
    GSI2SK: at(sortAt, id),
  }),
  testPartition: (orgId: string, patientId: string, testCode: string) => `${PatientKeys.partition(orgId, patientId)}#LAB#${testCode}`,
  /** The critical alert of a result: its INSERT notifies, its escalation mark escalates. */
  alert: (orgId: string, patientId: string, labResultId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `LABALERT#${labResultId}` }),
};

export const TreatmentPlanKeys = {
  /** ULID ids: newest first is a reverse Query. */
  key: (orgId: string, patientId: string, id: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `PLAN#${id}` }),
  partition: PatientKeys.partition,
  /** ULIDs start with 0-7: the plans lie in [PLAN#0, PLAN#8), the pointer (PLAN#ACTIVE) outside. */
  range: { from: 'PLAN#0', to: 'PLAN#8' },
  /** At most one active plan per patient: put with attribute_not_exists when a plan activates. */
  active: (orgId: string, patientId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: 'PLAN#ACTIVE' }),
};
