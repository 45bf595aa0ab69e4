import { defineDomain, job } from '../shared/domain/domain-module.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { changedFields } from '../shared/notifications/recipients.js';
import { createConciergeHandler } from './app.js';
import { CONCIERGE_EVENT_RULES } from './events.js';
import { AppointmentNoticePayload, ConciergeWork, LabEscalationPayload } from './notices.js';
import { AppointmentRepository } from './appointments/repository.js';
import { LabResultRepository } from './lab-results/repository.js';
import { CONCIERGE_ROUTES } from './routes.js';
import { CONCIERGE_FHIR } from './fhir.js';

const work = (deps: ScheduledWorkDeps) => new ConciergeWork(new AppointmentRepository(deps.db), new LabResultRepository(deps.db), deps.clock, deps.logger);

/** Medical concierge: providers, free slots, appointments, lab results, treatment plans. */
export const CONCIERGE_DOMAIN = defineDomain({
  id: 'concierge',
  description: 'Medical concierge: providers, appointments, lab results, treatment plans',
  entry: 'lambdas/concierge/handler.ts',
  app: 'lambdas/concierge/app.ts',
  routes: CONCIERGE_ROUTES,
  create: createConciergeHandler,
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
  jobs: {
    'appointment-notice': job(AppointmentNoticePayload, (deps) => {
      const w = work(deps);
      return (p) => w.onAppointmentNotice(p);
    }),
    'lab-escalation': job(LabEscalationPayload, (deps) => {
      const w = work(deps);
      return (p) => w.onLabEscalation(p);
    }),
  },
  fhir: CONCIERGE_FHIR,
});
