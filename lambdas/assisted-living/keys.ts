/**
 * Key formats of the assisted-living items (docs/data-model.md, "Assisted living"). Only the
 * assisted-living repository imports this module.
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };
const org = (orgId: string) => `ORG#${orgId}`;

export const IncidentKeys = {
  /** The id is a ULID from occurredAt, so the patient's incidents newest first is a reverse Query. */
  key: (orgId: string, patientId: string, id: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `INC#${id}` }),
  patientPartition: PatientKeys.partition,
  prefix: 'INC#',
  /** GSI1: the org's queue by status, newest first. Moves with the status. */
  byStatus: (orgId: string, status: string, occurredAt: string, id: string) => ({
    GSI1PK: `${org(orgId)}#INC#${status}`,
    GSI1SK: `${occurredAt}#${id}`,
  }),
  statusPartition: (orgId: string, status: string) => `${org(orgId)}#INC#${status}`,
  /** GSI2: every incident of the org, newest first. */
  inOrg: (orgId: string, occurredAt: string, id: string) => ({ GSI2PK: `${org(orgId)}#INC`, GSI2SK: `${occurredAt}#${id}` }),
  orgPartition: (orgId: string) => `${org(orgId)}#INC`,
};

export const DashboardKeys = {
  key: (orgId: string, patientId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: 'DASHBOARD' }),
};
