import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { defineJobs, job, type EventReactionSpec } from '../shared/domain/domain-module.js';
import { ASSISTED_LIVING_FACET } from './facet.js';
import { INCIDENT_DEADLINE_EVENT_TYPES, IncidentDeadlinePayload, IncidentDeadlineWork } from './deadline-work.js';
import { AssistedLivingRepository } from './repository.js';

const deadlines = (deps: ScheduledWorkDeps) => new IncidentDeadlineWork(new AssistedLivingRepository(deps.db), deps.scheduler, deps.clock, deps.logger);

/** An incident reported or changed: its deadline schedule is set, or removed once it is resolved. */
const onIncident: EventReactionSpec = {
  build: (deps) => {
    const work = deadlines(deps);
    return async (event) => {
      if (event.entityType !== 'Incident' || !event.patientId) {
        deps.logger.warn('incident event without an incident', { type: event.type, eventId: event.id });
        return;
      }
      await work.onIncidentEvent({ type: event.type, orgId: event.orgId, patientId: event.patientId, incidentId: event.entityId });
    };
  },
};

/**
 * Assisted living's scheduled work (docs/scheduling.md): an incident's regulatory reporting
 * deadline, set when the incident is reported (the bus brings the event) and fired at the deadline.
 */
export const ASSISTED_LIVING_JOBS = defineJobs(
  ASSISTED_LIVING_FACET,
  {
    'incident-deadline': job(IncidentDeadlinePayload, (deps) => {
      const work = deadlines(deps);
      return (p) => work.onDeadline(p);
    }),
  },
  Object.fromEntries(INCIDENT_DEADLINE_EVENT_TYPES.map((type) => [type, onIncident])),
);
