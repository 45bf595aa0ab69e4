import { defineDomain, job } from '../shared/domain/domain-module.js';
import { changedFields } from '../shared/notifications/recipients.js';
import { createAssistedLivingHandler } from './app.js';
import { IncidentDeadlinePayload, IncidentDeadlineWork } from './deadline-work.js';
import { ASSISTED_LIVING_EVENT_RULES } from './events.js';
import { AssistedLivingRepository } from './repository.js';
import { ASSISTED_LIVING_ROUTES } from './routes.js';
import { ASSISTED_LIVING_FHIR } from './fhir.js';

/** Assisted living: incident reports with regulatory deadlines, resident dashboards. */
export const ASSISTED_LIVING_DOMAIN = defineDomain({
  id: 'assistedLiving',
  description: 'Assisted living: incident reports with regulatory deadlines, resident dashboards',
  entry: 'lambdas/assisted-living/handler.ts',
  app: 'lambdas/assisted-living/app.ts',
  routes: ASSISTED_LIVING_ROUTES,
  create: createAssistedLivingHandler,
  events: ASSISTED_LIVING_EVENT_RULES,
  // API.md, "Assisted living": a new or changed incident notifies the patient's care team and the
  // org's coordinators, not the person who made the change. An overdue report (the scheduled
  // deadline marked it once) reaches the coordinators, who file regulatory reports; it is urgent.
  notifications: {
    IncidentReported: {
      inbox: {
        recipients: 'careTeamAndCoordinators',
        message: () => ({ title: 'Incident reported', body: 'A new incident was reported for a resident you care for.' }),
      },
      offApp: 'An incident report needs your attention',
    },
    IncidentUpdated: {
      inbox: {
        recipients: 'careTeamAndCoordinators',
        message: (event) => {
          const fields = changedFields(event).filter((f) => f !== 'auditAction');
          return fields.includes('status')
            ? { title: 'Incident status changed', body: 'The status of an incident of a resident you care for has changed.' }
            : { title: 'Incident updated', body: `An incident of a resident you care for was updated${fields.length ? ` (${fields.join(', ')})` : ''}.` };
        },
      },
      offApp: 'An incident report was updated',
    },
    IncidentReportOverdue: {
      inbox: {
        recipients: 'coordinators',
        message: () => ({ title: 'Incident report overdue', body: 'An incident passed its reporting deadline and is not resolved.' }),
      },
      offApp: 'An incident report is overdue',
      urgent: true,
    },
  },
  jobs: {
    'incident-deadline': job(IncidentDeadlinePayload, (deps) => {
      const work = new IncidentDeadlineWork(new AssistedLivingRepository(deps.db), deps.scheduler, deps.clock, deps.logger);
      return (p) => work.onDeadline(p);
    }),
  },
  fhir: ASSISTED_LIVING_FHIR,
});
