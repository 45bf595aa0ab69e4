/**
 * The assisted-living items: incidents and the per-resident dashboard (keys.ts). Only the
 * assisted-living repository imports this module.
 */
import type { Incident } from '../../schemas/assisted-living.js';
import { entity, pick } from '../shared/data/entity.js';
import { DashboardKeys, IncidentKeys } from './keys.js';

/** A stored incident: everything but `overdue`, which depends on the clock at read time. */
export type StoredIncident = Omit<Incident, 'overdue'>;

const incidentFields = pick<StoredIncident>([
  'id', 'version', 'createdAt', 'updatedAt', 'patientId', 'category', 'severity', 'details', 'occurredAt', 'location', 'witnesses',
  'status', 'reportedBy', 'reportedAt', 'reportDueBy', 'resolution', 'resolvedAt', 'resolvedBy', 'notifiedParties',
]);

export const IncidentEntity = entity('Incident', IncidentKeys, (item): StoredIncident => ({
  ...incidentFields(item),
  reportDueBy: (item.reportDueBy as string | undefined) ?? null,
}));

/** The resident's counters, kept by atomic ADDs in every incident's transaction. */
export const DashboardEntity = entity('PatientDashboard', DashboardKeys);
