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
import type { RouteDef } from '../shared/http/route-def.js';

/** Who may create and change medications: staff, a clinician on the care team, the patient. */
const PRESCRIBERS: readonly Role[] = ['admin', 'coordinator', 'clinician', 'patient'];

/** Medication adherence (API.md): served by the `medications` function. */
export const MEDICATION_ROUTES: readonly RouteDef[] = [
  {
    method: 'POST', path: '/patients/{patientId}/medications', fn: 'medications', auth: true, roles: PRESCRIBERS,
    summary: 'Add a medication (its reminders start at once)', params: PatientParams, body: CreateMedicationBody, response: Medication,
    status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/patients/{patientId}/medications', fn: 'medications', auth: true, roles: CLINICAL,
    summary: "The patient's medications, newest first", params: PatientParams, query: ListQuery, response: ListOf(Medication),
  },
  {
    method: 'PATCH', path: '/patients/{patientId}/medications/{medicationId}', fn: 'medications', auth: true, roles: PRESCRIBERS,
    summary: 'Change, pause, resume or stop a medication (reminders follow at once)', params: MedicationParams, body: UpdateMedicationBody,
    response: Medication,
  },
  {
    method: 'GET', path: '/patients/{patientId}/doses', fn: 'medications', auth: true, roles: CLINICAL,
    summary: 'Doses due in a window [from, to), oldest first', params: PatientParams, query: DoseListQuery, response: ListOf(Dose),
  },
  {
    method: 'POST', path: '/patients/{patientId}/doses', fn: 'medications', auth: true, roles: CLINICAL,
    summary: 'Log an as-needed dose (409 over the daily maximum)', params: PatientParams, body: LogAsNeededDoseBody, response: Dose,
    status: 201, idempotent: true,
  },
  {
    method: 'POST', path: '/patients/{patientId}/doses/{doseId}/confirm', fn: 'medications', auth: true, roles: CLINICAL,
    summary: 'Confirm a dose taken, skipped or refused', params: DoseParams, body: ConfirmDoseBody, response: Dose,
  },
  {
    method: 'GET', path: '/patients/{patientId}/alerts', fn: 'medications', auth: true, roles: CLINICAL,
    summary: 'Missed-dose alerts, newest first', params: PatientParams, query: ListQuery, response: ListOf(MissedDoseAlert),
  },
  {
    method: 'GET', path: '/patients/{patientId}/adherence', fn: 'medications', auth: true, roles: CLINICAL,
    summary: 'Adherence over the doses due in a window', params: PatientParams, query: WindowQuery, response: Adherence,
  },
];
