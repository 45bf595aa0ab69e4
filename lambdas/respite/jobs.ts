import { defineJobs, job } from '../shared/domain/domain-module.js';
import { RESPITE_FACET } from './facet.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { OfferRepository } from './offers/repository.js';
import { SessionRepository } from './sessions/repository.js';
import { RespiteLatePayload, RespiteOfferExpiryPayload, RespiteReminderPayload, RespiteWork } from './respite-work.js';

const respiteWork = (deps: ScheduledWorkDeps) => new RespiteWork(new SessionRepository(deps.db), new OfferRepository(deps.db), deps.clock, deps.logger);

/** Respite's scheduled work (docs/scheduling.md, "Respite"): offer expiries, session notices, late checks. */
export const RESPITE_JOBS = defineJobs(RESPITE_FACET, {
  'respite-offer-expiry': job(RespiteOfferExpiryPayload, (deps) => {
    const work = respiteWork(deps);
    return (p) => work.onOfferExpiry(p);
  }),
  'respite-reminder': job(RespiteReminderPayload, (deps) => {
    const work = respiteWork(deps);
    return (p) => work.onReminder(p);
  }),
  'respite-late': job(RespiteLatePayload, (deps) => {
    const work = respiteWork(deps);
    return (p) => work.onLate(p);
  }),
});
