import { ListOf, ListQuery } from '../../schemas/common.js';
import { PatientParams } from '../../schemas/identity.js';
import {
  Adherence,
  ConfirmDoseBody,
  CreateMedicationBody,
  Dose,
  DoseListQuery,
  DoseParams,
  LogAsNeededDoseBody,
  Medication,
  MedicationParams,
  MissedDoseAlert,
  UpdateMedicationBody,
  WindowQuery,
} from '../../schemas/medications.js';
import { CLINICAL_ROLES as CLINICAL, type Role } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Who may create and change medications: staff, a clinician on the care team, the patient. */
const PRESCRIBERS: readonly Role[] = ['admin', 'coordinator', 'clinician', 'patient'];

/** Medication adherence (API.md): served by the `medications` function. */
export const MEDICATION_ROUTES = defineRoutes('medications', {
  'POST /patients/{patientId}/medications': {
    operation: 'createMedication', roles: PRESCRIBERS,
    summary: 'Add a medication (its reminders start at once)', params: PatientParams, body: CreateMedicationBody, response: Medication,
    status: 201, idempotent: true,
  },
  'GET /patients/{patientId}/medications': {
    operation: 'listMedications', roles: CLINICAL,
    summary: "The patient's medications, newest first", params: PatientParams, query: ListQuery, response: ListOf(Medication),
  },
  'PATCH /patients/{patientId}/medications/{medicationId}': {
    operation: 'updateMedication', roles: PRESCRIBERS,
    summary: 'Change, pause, resume or stop a medication (reminders follow at once)', params: MedicationParams, body: UpdateMedicationBody,
    response: Medication,
  },
  'GET /patients/{patientId}/doses': {
    operation: 'listDoses', roles: CLINICAL,
    summary: 'Doses due in a window [from, to), oldest first', params: PatientParams, query: DoseListQuery, response: ListOf(Dose),
  },
  'POST /patients/{patientId}/doses': {
    operation: 'recordAsNeededDose', roles: CLINICAL,
    summary: 'Log an as-needed dose (409 over the daily maximum)', params: PatientParams, body: LogAsNeededDoseBody, response: Dose,
    status: 201, idempotent: true,
  },
  'POST /patients/{patientId}/doses/{doseId}/confirm': {
    operation: 'confirmDose', roles: CLINICAL,
    summary: 'Confirm a dose taken, skipped or refused', params: DoseParams, body: ConfirmDoseBody, response: Dose,
  },
  'GET /patients/{patientId}/alerts': {
    operation: 'listMissedDoseAlerts', roles: CLINICAL,
    summary: 'Missed-dose alerts, newest first', params: PatientParams, query: ListQuery, response: ListOf(MissedDoseAlert),
  },
  'GET /patients/{patientId}/adherence': {
    operation: 'getAdherence', roles: CLINICAL,
    summary: 'Adherence over the doses due in a window', params: PatientParams, query: WindowQuery, response: Adherence,
  },
});
