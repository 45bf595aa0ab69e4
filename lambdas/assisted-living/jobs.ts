import { defineJobs, job } from '../shared/domain/domain-module.js';
import { ASSISTED_LIVING_FACET } from './facet.js';
import { IncidentDeadlinePayload, IncidentDeadlineWork } from './deadline-work.js';
import { AssistedLivingRepository } from './repository.js';

/** Assisted living's scheduled work (docs/scheduling.md): an incident's regulatory reporting deadline. */
export const ASSISTED_LIVING_JOBS = defineJobs(ASSISTED_LIVING_FACET, {
  'incident-deadline': job(IncidentDeadlinePayload, (deps) => {
    const work = new IncidentDeadlineWork(new AssistedLivingRepository(deps.db), deps.scheduler, deps.clock, deps.logger);
    return (p) => work.onDeadline(p);
  }),
});
