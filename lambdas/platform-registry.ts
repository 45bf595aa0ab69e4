import { FACETS } from './facets.js';
import { eventRules, fhirMappings, notificationCatalog } from './shared/domain/registry.js';
import { EMAIL_REQUEST_EVENTS } from './shared/outbox/email-request.js';

/**
 * The registries the platform functions read at run time, derived from the domains' facets
 * (lambdas/facets.ts) by the derivations in lambdas/shared/domain/registry.ts: the events function
 * (EVENT_RULES), the notifications fan-out (NOTIFICATION_RULES), delivery (OFF_APP) and the FHIR
 * export of the records function (FHIR_MAPPINGS). Nothing here imports a domain's routes, app or
 * repositories (test/infra/bundling.test.ts); scheduled work reads its own list (lambdas/jobs.ts).
 */
/** The domains' rules, and the platform's own direct-email outbox (EmailRequested, for delivery). */
export const EVENT_RULES = eventRules(FACETS, EMAIL_REQUEST_EVENTS);
const notifications = notificationCatalog(FACETS);
export const NOTIFICATION_RULES = notifications.rules;
/** The event types that notify someone: the fan-out rule's `detail-type` list. */
export const NOTIFYING_EVENT_TYPES: readonly string[] = Object.keys(NOTIFICATION_RULES);
export const OFF_APP = notifications.offApp;
/** Every notification type the platform knows: what `mutedTypes` may name. */
export const NOTIFICATION_TYPES: ReadonlySet<string> = new Set([...NOTIFYING_EVENT_TYPES, ...Object.keys(OFF_APP.lines)]);
/** Entity type -> FHIR mapper, and the people builder: the FHIR export's (lambdas/records/). */
export const FHIR_MAPPINGS = fhirMappings(FACETS);
