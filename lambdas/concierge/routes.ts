import { ListOf } from '../../schemas/common.js';
import {
  Appointment,
  AppointmentParams,
  BookAppointmentBody,
  CancelAppointmentBody,
  CompleteAppointmentBody,
  CorrectLabResultBody,
  CreateLabResultBody,
  CreateProviderBody,
  CreateTreatmentPlanBody,
  LabResult,
  LabResultListQuery,
  LabResultParams,
  PatientAppointmentsParams,
  PatientAppointmentsQuery,
  Provider,
  ProviderAppointmentsQuery,
  ProviderListQuery,
  ProviderParams,
  RescheduleAppointmentBody,
  Slot,
  SlotQuery,
  TreatmentPlan,
  TreatmentPlanListQuery,
  TreatmentPlanParams,
  UpdateProviderBody,
  UpdateTreatmentPlanBody,
} from '../../schemas/concierge.js';
import { CLINICAL_ROLES as CLINICAL, type Role } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Roles that may ever act; the service narrows each to the relationship API.md names (403 otherwise). */
const CANCELLERS: readonly Role[] = ['admin', 'coordinator', 'clinician', 'family', 'patient'];
const STAFF_OR_PROVIDER: readonly Role[] = ['admin', 'coordinator', 'clinician'];
const CLINICIAN: readonly Role[] = ['clinician'];

/** Medical concierge (API.md): providers, appointments, lab results, treatment plans; served by `concierge`. */
export const CONCIERGE_ROUTES = defineRoutes('concierge', {
  'POST /providers': {
    operation: 'createProvider', roles: ['admin'],
    summary: 'Create the provider profile of a clinician (providerId = userId; one per user)', body: CreateProviderBody, response: Provider,
    status: 201, idempotent: true,
  },
  'GET /providers': {
    operation: 'listProviders', roles: CLINICAL,
    summary: "The org's providers, by specialty", query: ProviderListQuery, response: ListOf(Provider),
  },
  'GET /providers/{providerId}': { operation: 'getProvider', roles: CLINICAL, summary: 'A provider', params: ProviderParams, response: Provider },
  'PATCH /providers/{providerId}': {
    operation: 'updateProvider', roles: ['admin', 'clinician'],
    summary: 'Change a provider profile (admin or the provider; booked appointments stay)', params: ProviderParams, body: UpdateProviderBody,
    response: Provider,
  },
  'GET /providers/{providerId}/slots': {
    operation: 'listProviderSlots', roles: CLINICAL,
    summary: 'Free slots in [from, to) (at most 31 days), soonest first', params: ProviderParams, query: SlotQuery, response: ListOf(Slot),
  },
  'GET /providers/{providerId}/appointments': {
    operation: 'listProviderAppointments', roles: STAFF_OR_PROVIDER,
    summary: "The provider's appointments from `from` (to `to`), soonest first (the provider, staff)", params: ProviderParams,
    query: ProviderAppointmentsQuery, response: ListOf(Appointment),
  },
  'POST /patients/{patientId}/appointments': {
    operation: 'bookAppointment', roles: CLINICAL,
    summary: 'Book a free slot (staff may override availability and notice, never an overlap)', params: PatientAppointmentsParams,
    body: BookAppointmentBody, response: Appointment, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/appointments': {
    operation: 'listPatientAppointments', roles: CLINICAL,
    summary: "The patient's appointments from `from`, soonest first", params: PatientAppointmentsParams, query: PatientAppointmentsQuery,
    response: ListOf(Appointment),
  },
  'GET /patients/{patientId}/appointments/{appointmentId}': {
    operation: 'getAppointment', roles: CLINICAL, summary: 'An appointment', params: AppointmentParams, response: Appointment,
  },
  'POST /patients/{patientId}/appointments/{appointmentId}/cancel': {
    operation: 'cancelAppointment', roles: CANCELLERS,
    summary: 'Cancel before the start (patient, family on the care team, staff, the provider); frees the time at once', params: AppointmentParams,
    body: CancelAppointmentBody, response: Appointment,
  },
  'POST /patients/{patientId}/appointments/{appointmentId}/reschedule': {
    operation: 'rescheduleAppointment', roles: CLINICAL,
    summary: 'Move to another free slot in one step (as for booking)', params: AppointmentParams, body: RescheduleAppointmentBody,
    response: Appointment,
  },
  'POST /patients/{patientId}/appointments/{appointmentId}/check-in': {
    operation: 'checkInAppointment', roles: STAFF_OR_PROVIDER,
    summary: 'Check in, from 30 minutes before the start (staff, the provider)', params: AppointmentParams, response: Appointment,
  },
  'POST /patients/{patientId}/appointments/{appointmentId}/complete': {
    operation: 'completeAppointment', roles: CLINICIAN,
    summary: 'Complete after check-in (the provider)', params: AppointmentParams, body: CompleteAppointmentBody, response: Appointment,
  },
  'POST /patients/{patientId}/appointments/{appointmentId}/no-show': {
    operation: 'markAppointmentNoShow', roles: STAFF_OR_PROVIDER,
    summary: 'Record a no-show after the start, before check-in (staff, the provider)', params: AppointmentParams, response: Appointment,
  },
  'POST /patients/{patientId}/lab-results': {
    operation: 'recordLabResult', roles: CLINICIAN,
    summary: 'Record a lab result (the server sets flag and publishedAt)', params: PatientAppointmentsParams, body: CreateLabResultBody,
    response: LabResult, status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/lab-results': {
    operation: 'listLabResults', roles: CLINICAL,
    summary: 'Lab results, newest published first (patient and family: final and corrected only); audited', params: PatientAppointmentsParams,
    query: LabResultListQuery, response: ListOf(LabResult),
  },
  'POST /patients/{patientId}/lab-results/{labResultId}/finalize': {
    operation: 'finalizeLabResult', roles: CLINICIAN, summary: 'preliminary -> final', params: LabResultParams, response: LabResult,
  },
  'POST /patients/{patientId}/lab-results/{labResultId}/correct': {
    operation: 'correctLabResult', roles: CLINICIAN,
    summary: 'Correct a final result: a new `corrected` result supersedes it (its values stay)', params: LabResultParams,
    body: CorrectLabResultBody, response: LabResult, status: 201, idempotent: true,
  },
  'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge': {
    operation: 'acknowledgeLabResult', roles: STAFF_OR_PROVIDER,
    summary: 'Acknowledge a critical result, once (stops its escalation)', params: LabResultParams, response: LabResult,
  },
  'POST /patients/{patientId}/treatment-plans': {
    operation: 'createTreatmentPlan', roles: CLINICIAN,
    summary: 'Create a treatment plan (draft)', params: PatientAppointmentsParams, body: CreateTreatmentPlanBody, response: TreatmentPlan,
    status: 201, idempotent: true,
  },
  'PATCH /patients/{patientId}/treatment-plans/{planId}': {
    operation: 'updateTreatmentPlan', roles: CLINICIAN,
    summary: 'Change or move a plan (draft -> active -> completed, draft | active -> cancelled; one active plan)', params: TreatmentPlanParams,
    body: UpdateTreatmentPlanBody, response: TreatmentPlan,
  },
  'GET /patients/{patientId}/treatment-plans': {
    operation: 'listTreatmentPlans', roles: CLINICAL,
    summary: 'Treatment plans, newest first (patient and family: active and completed only)', params: PatientAppointmentsParams,
    query: TreatmentPlanListQuery, response: ListOf(TreatmentPlan),
  },
});
