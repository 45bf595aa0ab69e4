import { defineFacet } from '../shared/domain/domain-module.js';
import { changedFields } from '../shared/notifications/recipients.js';
import { CONCIERGE_EVENT_RULES } from './events.js';
import { CONCIERGE_FHIR } from './fhir.js';

/** What the platform functions read of concierge (DomainFacet): no routes, app or request schemas. */
export const CONCIERGE_FACET = defineFacet({
  id: 'concierge',
  events: CONCIERGE_EVENT_RULES,
  notifications: {
    // API.md, "Medical concierge": at start - 24 h and start - 1 h of a booked appointment, the
    // patient, the family on the care team and the provider (the event's recipient).
    AppointmentReminder: {
      inbox: {
        recipients: 'patientFamilyAndRecipient',
        message: (event) => ({
          title: 'Upcoming appointment',
          body: `An appointment starts in ${changedFields(event).includes('notice1hFor') ? 'about an hour' : 'about 24 hours'}.`,
        }),
      },
      offApp: 'You have an upcoming appointment',
    },
    // A final or corrected result flagged critical: the care team's clinicians and the
    // coordinators, at once; nobody acknowledged it within the org's criticalEscalationMinutes:
    // admins and coordinators. Both urgent.
    LabResultCritical: {
      inbox: {
        recipients: 'careTeamCliniciansAndCoordinators',
        message: () => ({ title: 'Critical lab result', body: 'A lab result of a patient you care for is critical. Please review and acknowledge it.' }),
      },
      offApp: 'A result needs your attention',
      urgent: true,
    },
    LabResultCriticalUnacknowledged: {
      inbox: {
        recipients: 'adminsAndCoordinators',
        message: () => ({ title: 'Critical lab result not acknowledged', body: 'A critical lab result has not been acknowledged in time.' }),
      },
      offApp: 'A result still needs your attention',
      urgent: true,
    },
    LabResultPublished: { offApp: 'A new result is available' },
    AppointmentBooked: { offApp: 'You have a new appointment' },
    AppointmentUpdated: { offApp: 'An appointment has changed' },
  },
  fhir: CONCIERGE_FHIR,
});
