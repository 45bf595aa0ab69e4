import { defineFacet } from '../shared/domain/domain-module.js';
import { MEDICATION_EVENT_RULES } from './events.js';
import { MEDICATIONS_FHIR } from './fhir.js';

/** What the platform functions read of medications (DomainFacet): no routes, app or request schemas. */
export const MEDICATIONS_FACET = defineFacet({
  id: 'medications',
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
  fhir: MEDICATIONS_FHIR,
});
