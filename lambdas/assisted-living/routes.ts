import { ListOf } from '../../schemas/common.js';
import {
  CreateIncidentBody,
  Incident,
  IncidentListQuery,
  IncidentParams,
  PatientDashboard,
  PatientIncidentsParams,
  UpdateIncidentBody,
} from '../../schemas/assisted-living.js';
import { CLINICAL_ROLES as CLINICAL, STAFF_ROLES as STAFF } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Who may ever report or change an incident: staff, aides and clinicians (the reporter is one of them). */
const REPORTERS = ['admin', 'coordinator', 'aide', 'clinician'] as const;

/** Assisted living (API.md): incidents and the resident dashboard, served by `assistedLiving`. */
export const ASSISTED_LIVING_ROUTES = defineRoutes('assistedLiving', {
  'POST /patients/{patientId}/incidents': {
    operation: 'reportIncident', roles: REPORTERS,
    summary: 'Report an incident (deadline from category and severity)', params: PatientIncidentsParams, body: CreateIncidentBody,
    response: Incident, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/incidents': {
    operation: 'listPatientIncidents', roles: CLINICAL,
    summary: "The patient's incidents, newest occurredAt first", params: PatientIncidentsParams, query: IncidentListQuery, response: ListOf(Incident),
  },
  'GET /incidents': {
    operation: 'listIncidents', roles: STAFF,
    summary: "The org's incidents, newest first, optionally by status", query: IncidentListQuery, response: ListOf(Incident),
  },
  'PATCH /patients/{patientId}/incidents/{incidentId}': {
    operation: 'updateIncident', roles: REPORTERS,
    summary: 'Investigate, resolve or record notified parties (staff or the reporter)', params: IncidentParams, body: UpdateIncidentBody, response: Incident,
  },
  'GET /patients/{patientId}/dashboard': {
    operation: 'getPatientDashboard', roles: CLINICAL,
    summary: "The resident's dashboard (counters kept with every incident change)", params: PatientIncidentsParams, response: PatientDashboard,
  },
});
