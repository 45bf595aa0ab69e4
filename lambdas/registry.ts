import { DOMAINS } from './domains.js';
import { PLATFORM_FUNCTIONS } from './platform.js';
import { EMAIL_REQUEST_EVENTS } from './shared/outbox/email-request.js';
import { eventRules, functionTable, jobTable, notificationRules, offAppCatalog, routeTable } from './shared/domain/registry.js';

/**
 * The platform's registries, derived from the list of domains (lambdas/domains.ts) by the
 * derivations in lambdas/shared/domain/registry.ts. Nothing here is written by hand per domain.
 */
export const FUNCTIONS = functionTable(DOMAINS, PLATFORM_FUNCTIONS);
export type FunctionId = keyof typeof FUNCTIONS;
export const ROUTES = routeTable(DOMAINS);
export const EVENT_RULES = eventRules(DOMAINS, EMAIL_REQUEST_EVENTS);
export const NOTIFICATION_RULES = notificationRules(DOMAINS);
/** The event types that notify someone: the fan-out rule's `detail-type` list. */
export const NOTIFYING_EVENT_TYPES: readonly string[] = Object.keys(NOTIFICATION_RULES);
export const OFF_APP = offAppCatalog(DOMAINS);
/** Every notification type the platform knows: what `mutedTypes` may name. */
export const NOTIFICATION_TYPES: ReadonlySet<string> = new Set([...NOTIFYING_EVENT_TYPES, ...Object.keys(OFF_APP.lines)]);
export const JOBS = jobTable(DOMAINS);
