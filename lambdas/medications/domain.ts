import { defineDomain } from '../shared/domain/domain-module.js';
import { createMedicationsHandler } from './app.js';
import { MEDICATION_EVENT_RULES } from './events.js';
import { MEDICATION_JOBS } from './jobs.js';
import { MEDICATION_ROUTES } from './routes.js';
import { MEDICATIONS_FHIR } from './fhir.js';

/** Medication adherence: medications, doses, confirmations, alerts, adherence. */
export const MEDICATIONS_DOMAIN = defineDomain({
  id: 'medications',
  description: 'Medication adherence: medications, doses, confirmations, alerts, adherence',
  entry: 'lambdas/medications/handler.ts',
  app: 'lambdas/medications/app.ts',
  routes: MEDICATION_ROUTES,
  create: createMedicationsHandler,
  events: MEDICATION_EVENT_RULES,
  // API.md, "Medication adherence": at each scheduled time the patient is reminded; a dose still due
  // after the grace period alerts the patient and the care team, at once. (Medication names are not
  // in the text: the event carries ids only, and the app shows the dose it opens.)
  notifications: {
    DoseDue: {
      inbox: { recipients: 'patient', message: () => ({ title: 'Time for your medication', body: 'A scheduled dose is due now. Confirm it once taken.' }) },
      offApp: 'You have a medication reminder',
    },
    DoseMissed: {
      inbox: { recipients: 'patientAndCareTeam', message: () => ({ title: 'Missed dose', body: 'A scheduled dose was not confirmed within its grace period.' }) },
      offApp: 'A medication reminder needs your attention',
      urgent: true,
    },
  },
  jobs: MEDICATION_JOBS,
  fhir: MEDICATIONS_FHIR,
});
