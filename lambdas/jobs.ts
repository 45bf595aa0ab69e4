import { ASSISTED_LIVING_JOBS } from './assisted-living/jobs.js';
import { CONCIERGE_JOBS } from './concierge/jobs.js';
import type { FACETS } from './facets.js';
import { HOME_HEALTH_JOBS } from './home-health/jobs.js';
import { MEDICATION_JOBS } from './medications/jobs.js';
import { RESPITE_JOBS } from './respite/jobs.js';
import type { DomainJobs } from './shared/domain/domain-module.js';
import { jobTable, reactionTable } from './shared/domain/registry.js';

/**
 * The scheduled work of the domains that have any (`lambdas/<domain>/jobs.ts`, `defineJobs`): one
 * line each. Only the scheduled-work function reads it. A job builds its domain's repositories,
 * so jobs are not in the facets: the functions that read the facets (events, the notifications
 * fan-out, delivery, the FHIR export) would carry every domain's data code for work they never run
 * (the records function's bundle was 336 KB with them, 286 KB without; docs/cold-starts.md).
 *
 * Each entry is typed by a facet's id, and a unit test (test/unit/lambdas/shared/domains.test.ts)
 * finds every `lambdas/<domain>/jobs.ts` and fails when one is not listed here.
 */
export const DOMAIN_JOBS = [
  ASSISTED_LIVING_JOBS,
  MEDICATION_JOBS,
  HOME_HEALTH_JOBS,
  CONCIERGE_JOBS,
  RESPITE_JOBS,
] as const satisfies ReadonlyArray<DomainJobs<(typeof FACETS)[number]['id']>>;

/** Scheduled-work kind -> its payload schema and job: the scheduled-work function's dispatch. */
export const JOBS = jobTable(DOMAIN_JOBS);

/** Domain event type -> the reaction the scheduled-work function runs when the bus brings it one. */
export const REACTIONS = reactionTable(DOMAIN_JOBS);
/** The event types the scheduled-work function reacts to: its bus rule's `detail-type` list. */
export const REACTION_EVENT_TYPES: readonly string[] = Object.keys(REACTIONS);
