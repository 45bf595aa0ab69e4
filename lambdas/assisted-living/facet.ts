import { defineFacet } from '../shared/domain/domain-module.js';
import { changedFields } from '../shared/notifications/recipients.js';
import { ASSISTED_LIVING_EVENT_RULES } from './events.js';
import { ASSISTED_LIVING_FHIR } from './fhir.js';

/** What the platform functions read of assisted living (DomainFacet): no routes, app or request schemas. */
export const ASSISTED_LIVING_FACET = defineFacet({
  id: 'assistedLiving',
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
  fhir: ASSISTED_LIVING_FHIR,
});
