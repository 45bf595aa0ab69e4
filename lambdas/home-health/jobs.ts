import { defineJobs, job } from '../shared/domain/domain-module.js';
import { HOME_HEALTH_FACET } from './facet.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { VisitRepository } from './visit-repository.js';
import { VisitLatePayload, VisitMissedPayload, VisitWork } from './visit-work.js';

const visits = (deps: ScheduledWorkDeps) => new VisitWork(new VisitRepository(deps.db), deps.clock, deps.logger);

/** Home health's scheduled work (docs/scheduling.md): a visit's late and missed checks. */
export const HOME_HEALTH_JOBS = defineJobs(HOME_HEALTH_FACET, {
  'visit-late': job(VisitLatePayload, (deps) => {
    const w = visits(deps);
    return (p) => w.onLate(p);
  }),
  'visit-missed': job(VisitMissedPayload, (deps) => {
    const w = visits(deps);
    return (p) => w.onMissed(p);
  }),
});
