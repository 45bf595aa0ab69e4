import { ListOf } from '../../schemas/common.js';
import {
  AssignmentsQuery,
  CancelRespiteBody,
  CaregiverParams,
  CaregiverProfile,
  CreateOfferBody,
  CreateRespiteSessionBody,
  DeclineOfferBody,
  PatientRespiteParams,
  PutCaregiverProfileBody,
  PutRespiteBudgetBody,
  RespiteAssignment,
  RespiteBudget,
  RespiteBudgetQuery,
  RespiteCheckBody,
  RespiteEvvRecord,
  RespiteListQuery,
  RespiteOffer,
  RespiteOfferParams,
  RespiteSession,
  RespiteSessionParams,
  RespiteSessionWithOffers,
} from '../../schemas/respite.js';
import { CLINICAL_ROLES as CLINICAL, STAFF_ROLES as STAFF, type Role } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

const FAMILY: readonly Role[] = ['family'];
const AIDE: readonly Role[] = ['aide'];
/** Staff, and family on the care team (the relationship is the access policy's). */
const STAFF_AND_FAMILY: readonly Role[] = ['admin', 'coordinator', 'family'];

/** Caregiver respite (API.md): profiles, budgets, sessions, offers, served by `respite`. */
export const RESPITE_ROUTES = defineRoutes('respite', {
  'PUT /me/caregiver-profile': {
    operation: 'setCaregiverProfile', roles: FAMILY, summary: 'Create or replace my caregiver profile', body: PutCaregiverProfileBody, response: CaregiverProfile,
  },
  'GET /caregivers/{userId}/profile': {
    operation: 'getCaregiverProfile', roles: STAFF_AND_FAMILY, summary: "A caregiver's profile (staff, the caregiver)", params: CaregiverParams, response: CaregiverProfile,
  },
  'PUT /patients/{patientId}/respite-budget': {
    operation: 'setRespiteBudget', roles: STAFF, summary: "Set a year's respite hours for the patient (the org's zone)", params: PatientRespiteParams, body: PutRespiteBudgetBody, response: RespiteBudget,
  },
  'GET /patients/{patientId}/respite-budget': {
    operation: 'getRespiteBudget', roles: STAFF_AND_FAMILY, summary: "A year's respite hours: reserved, used, remaining (default: this year)", params: PatientRespiteParams,
    query: RespiteBudgetQuery, response: RespiteBudget,
  },
  'POST /patients/{patientId}/respite-sessions': {
    operation: 'requestRespiteSession', roles: STAFF_AND_FAMILY, summary: 'Request a respite session (30 min..72 h, within the remaining hours)', params: PatientRespiteParams,
    body: CreateRespiteSessionBody, response: RespiteSession, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/respite-sessions': {
    operation: 'listPatientRespiteSessions', roles: CLINICAL, summary: "The patient's respite sessions, soonest first", params: PatientRespiteParams, query: RespiteListQuery,
    response: ListOf(RespiteSession),
  },
  'GET /patients/{patientId}/respite-sessions/{sessionId}': {
    operation: 'getRespiteSession', roles: CLINICAL, summary: 'A respite session with its offers', params: RespiteSessionParams, response: RespiteSessionWithOffers,
  },
  'GET /respite-sessions': {
    operation: 'listRespiteSessions', roles: STAFF, summary: "The org's respite sessions in a status (default requested), soonest first", query: RespiteListQuery,
    response: ListOf(RespiteSession),
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers': {
    operation: 'offerRespiteSession', roles: STAFF, summary: 'Offer the session to an aide (expires unanswered)', params: RespiteSessionParams, body: CreateOfferBody,
    response: RespiteOffer, status: 201,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/accept': {
    operation: 'acceptRespiteOffer', roles: AIDE, summary: "Accept: books my calendar, confirms the session, reserves its hours", params: RespiteOfferParams, response: RespiteSession,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/decline': {
    operation: 'declineRespiteOffer', roles: AIDE, summary: 'Decline an offer made to me', params: RespiteOfferParams, body: DeclineOfferBody, response: RespiteOffer,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/check-in': {
    operation: 'checkInRespiteSession', roles: AIDE, summary: 'Check in (the confirmed aide; location recorded as for visits)', params: RespiteSessionParams, body: RespiteCheckBody,
    response: RespiteSession,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/check-out': {
    operation: 'checkOutRespiteSession', roles: AIDE, summary: 'Check out: completes the session, its hours become used', params: RespiteSessionParams, body: RespiteCheckBody,
    response: RespiteSession,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/cancel': {
    operation: 'cancelRespiteSession', roles: STAFF_AND_FAMILY, summary: 'Cancel (24 h or more before start releases the hours, later consumes them)', params: RespiteSessionParams,
    body: CancelRespiteBody, response: RespiteSession,
  },
  'GET /patients/{patientId}/respite-sessions/{sessionId}/evv': {
    operation: 'getRespiteSessionEvv', roles: STAFF, summary: "The session's EVV record, as a home visit's (audited read)", params: RespiteSessionParams, response: RespiteEvvRecord,
  },
  'GET /me/assignments': {
    operation: 'listMyAssignments', roles: AIDE, summary: 'My respite offers (every status) and confirmed sessions, soonest first', query: AssignmentsQuery,
    response: ListOf(RespiteAssignment),
  },
});
