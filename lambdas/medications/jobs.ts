import { defineJobs, job } from '../shared/domain/domain-module.js';
import { MEDICATIONS_FACET } from './facet.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { DoseWork } from './dose-work.js';
import { MedicationRepository } from './repository.js';
import { DoseSlotPayload, MissedCheckPayload } from './schedules.js';

const doses = (deps: ScheduledWorkDeps) => new DoseWork(new MedicationRepository(deps.db), deps.scheduler, deps.clock, deps.logger);

/** Medication adherence's scheduled work (docs/scheduling.md): dose slots and missed-dose checks. */
export const MEDICATION_JOBS = defineJobs(MEDICATIONS_FACET, {
  'dose-slot': job(DoseSlotPayload, (deps) => {
    const work = doses(deps);
    return (p) => work.onDoseSlot(p);
  }),
  'dose-missed-check': job(MissedCheckPayload, (deps) => {
    const work = doses(deps);
    return (p) => work.onMissedCheck(p);
  }),
});
