import { DOMAINS } from './domains.js';
import { PLATFORM_FUNCTIONS } from './platform.js';
import { functionTable, routeTable } from './shared/domain/registry.js';

/**
 * The platform's registries, derived from the list of domains (lambdas/domains.ts) by the
 * derivations in lambdas/shared/domain/registry.ts. Nothing here is written by hand per domain.
 * The run-time ones come from the facets alone (events, notifications, off-app lines, FHIR mappings:
 * lambdas/platform-registry.ts) or from the domains' jobs (lambdas/jobs.ts), and are re-exported here
 * for the CDK app, the local stack and tests.
 */
export const FUNCTIONS = functionTable(DOMAINS, PLATFORM_FUNCTIONS);
export type FunctionId = keyof typeof FUNCTIONS;
export const ROUTES = routeTable(DOMAINS);
export { EVENT_RULES, FHIR_MAPPINGS, NOTIFICATION_RULES, NOTIFICATION_TYPES, NOTIFYING_EVENT_TYPES, OFF_APP } from './platform-registry.js';
export { JOBS, REACTION_EVENT_TYPES, REACTIONS } from './jobs.js';
