import { ListOf, ListQuery } from '../../schemas/common.js';
import {
  AdjustSupplyBody,
  AideListQuery,
  AideParams,
  AideProfile,
  AssignVisitBody,
  CancelVisitBody,
  CheckBody,
  CreateServiceLogBody,
  CreateSupplyBody,
  CreateVisitBody,
  DayRoute,
  EvvCsv,
  EvvExport,
  EvvExportQuery,
  EvvRecord,
  OrgVisitsQuery,
  PatchEvvBody,
  PatientVisitsParams,
  PatientVisitsQuery,
  PutAideProfileBody,
  RouteQuery,
  ServiceLog,
  SetAvailabilityBody,
  SuggestedAides,
  Supply,
  SupplyListQuery,
  SupplyMovement,
  SupplyParams,
  UseSupplyBody,
  Visit,
  VisitParams,
} from '../../schemas/home-health.js';
import { CLINICAL_ROLES as CLINICAL, STAFF_ROLES as STAFF } from '../../schemas/roles.js';
import * as z from 'zod/mini';
import { defineRoutes } from '../shared/http/route-def.js';

const AIDE = ['aide'] as const;
const STAFF_AND_AIDE = ['admin', 'coordinator', 'aide'] as const;

/** Home health (API.md, "Aides, home visits and electronic visit verification"), served by `homeHealth`. */
export const HOME_HEALTH_ROUTES = defineRoutes('homeHealth', {
  'PUT /aides/{userId}': {
    operation: 'setAideProfile', roles: STAFF,
    summary: "Create or replace an aide user's profile: skills, home base, service radius, weekly availability in the aide's zone",
    params: AideParams, body: PutAideProfileBody, response: AideProfile,
  },
  'GET /aides': { operation: 'listAides', roles: STAFF, summary: "The org's aides, optionally with a skill", query: AideListQuery, response: ListOf(AideProfile) },
  'PATCH /me/availability': {
    operation: 'updateMyAvailability', roles: AIDE, summary: 'Switch my availability (unavailable until a time, or until switched back)', body: SetAvailabilityBody, response: AideProfile,
  },
  'POST /patients/{patientId}/visits': {
    operation: 'scheduleVisit', roles: STAFF,
    summary: 'Schedule a home visit (15 min to 12 h); with aideId it is assigned at once, booked on the aide calendar',
    params: PatientVisitsParams, body: CreateVisitBody, response: Visit, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/visits': {
    operation: 'listPatientVisits', roles: CLINICAL, summary: "A patient's visits by scheduled start in [from, to), soonest first", params: PatientVisitsParams, query: PatientVisitsQuery, response: ListOf(Visit),
  },
  'GET /visits': { operation: 'listVisits', roles: STAFF, summary: "The org's visits of one local day (the org's zone), soonest first", query: OrgVisitsQuery, response: ListOf(Visit) },
  'GET /patients/{patientId}/visits/{visitId}/suggested-aides': {
    operation: 'listSuggestedAides', roles: STAFF,
    summary: 'Aides with every required skill, available, within their radius and free (travel included), nearest first from where they will be',
    params: VisitParams, response: SuggestedAides,
  },
  'POST /patients/{patientId}/visits/{visitId}/assign': {
    operation: 'assignVisit', roles: STAFF, summary: "Assign or reassign the visit's aide (409 on a calendar conflict); the aide joins the care team", params: VisitParams, body: AssignVisitBody, response: Visit,
  },
  'POST /patients/{patientId}/visits/{visitId}/check-in': {
    operation: 'checkInVisit', roles: AIDE, summary: 'The assigned aide checks in with GPS (outside the geofence: recorded with an exception, never refused)', params: VisitParams, body: CheckBody, response: Visit,
  },
  'POST /patients/{patientId}/visits/{visitId}/check-out': {
    operation: 'checkOutVisit', roles: AIDE, summary: 'The assigned aide checks out with GPS (409 invalid_transition before check-in)', params: VisitParams, body: CheckBody, response: Visit,
  },
  'POST /patients/{patientId}/visits/{visitId}/cancel': { operation: 'cancelVisit', roles: STAFF, summary: "Cancel the visit and free the aide's time", params: VisitParams, body: CancelVisitBody, response: Visit },
  'GET /patients/{patientId}/visits/{visitId}/evv': { operation: 'getVisitEvv', roles: STAFF, summary: 'The EVV record: the six elements, exceptions and changes (audited read)', params: VisitParams, response: EvvRecord },
  'PATCH /patients/{patientId}/visits/{visitId}/evv': {
    operation: 'correctVisitEvv', roles: STAFF, summary: 'Visit maintenance with a reason code; appends to changes; 409 once locked (evvLockDays)', params: VisitParams, body: PatchEvvBody, response: EvvRecord,
  },
  'GET /evv': {
    operation: 'exportEvv', roles: STAFF,
    summary: 'EVV export of local days from..to (at most 31): JSON with incomplete visits listed apart, or CSV of the exportable ones',
    query: EvvExportQuery, response: z.union([EvvExport, EvvCsv]), produces: 'text/csv; charset=utf-8',
  },
  'GET /me/route': { operation: 'getMyRoute', roles: AIDE, summary: 'My bookings of a local day as a route, with distances, travel times and tight legs', query: RouteQuery, response: DayRoute },
  'POST /supplies': { operation: 'createSupply', roles: STAFF, summary: 'Add a supply item (SKU unique in the org)', body: CreateSupplyBody, response: Supply, status: 201, idempotent: true },
  'GET /supplies': { operation: 'listSupplies', roles: STAFF_AND_AIDE, summary: "The org's supplies by name; below=reorder: those under their reorder level", query: SupplyListQuery, response: ListOf(Supply) },
  'POST /supplies/{supplyId}/adjust': {
    operation: 'adjustSupply', roles: STAFF, summary: 'Adjust stock by delta with a reason (never below zero)', params: SupplyParams, body: AdjustSupplyBody, response: SupplyMovement, idempotent: true,
  },
  'POST /patients/{patientId}/visits/{visitId}/supplies': {
    operation: 'useVisitSupply', roles: AIDE, summary: 'The assigned aide records supplies used on the visit (never below zero)', params: VisitParams, body: UseSupplyBody, response: SupplyMovement, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/visits/{visitId}/supplies': { operation: 'listVisitSupplies', roles: STAFF_AND_AIDE, summary: 'Supplies used on the visit (staff, the assigned aide)', params: VisitParams, query: ListQuery, response: ListOf(SupplyMovement) },
  'POST /patients/{patientId}/visits/{visitId}/logs': {
    operation: 'addVisitLog', roles: AIDE, summary: 'The assigned aide adds a service log entry', params: VisitParams, body: CreateServiceLogBody, response: ServiceLog, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/visits/{visitId}/logs': { operation: 'listVisitLogs', roles: CLINICAL, summary: "The visit's service log, oldest first", params: VisitParams, query: ListQuery, response: ListOf(ServiceLog) },
});
