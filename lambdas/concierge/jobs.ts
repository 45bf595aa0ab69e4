import { defineJobs, job } from '../shared/domain/domain-module.js';
import { CONCIERGE_FACET } from './facet.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { AppointmentRepository } from './appointments/repository.js';
import { LabResultRepository } from './lab-results/repository.js';
import { AppointmentNoticePayload, ConciergeWork, LabEscalationPayload } from './notices.js';

const work = (deps: ScheduledWorkDeps) => new ConciergeWork(new AppointmentRepository(deps.db), new LabResultRepository(deps.db), deps.clock, deps.logger);

/** Medical concierge's scheduled work (docs/scheduling.md): appointment notices, critical-lab escalations. */
export const CONCIERGE_JOBS = defineJobs(CONCIERGE_FACET, {
  'appointment-notice': job(AppointmentNoticePayload, (deps) => {
    const w = work(deps);
    return (p) => w.onAppointmentNotice(p);
  }),
  'lab-escalation': job(LabEscalationPayload, (deps) => {
    const w = work(deps);
    return (p) => w.onLabEscalation(p);
  }),
});
