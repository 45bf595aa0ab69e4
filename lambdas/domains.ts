import { ACCESS_REPORTS_DOMAIN } from './access-reports/domain.js';
import { ASSISTED_LIVING_DOMAIN } from './assisted-living/domain.js';
import { CONCIERGE_DOMAIN } from './concierge/domain.js';
import { HOME_HEALTH_DOMAIN } from './home-health/domain.js';
import { IDENTITY_DOMAIN } from './identity/domain.js';
import { INVITATIONS_DOMAIN } from './invitations/domain.js';
import { MEDICATIONS_DOMAIN } from './medications/domain.js';
import { MESSAGING_DOMAIN } from './messaging/domain.js';
import { NOTIFICATIONS_DOMAIN } from './notifications/domain.js';
import { RECORDS_DOMAIN } from './records/domain.js';
import { RESPITE_DOMAIN } from './respite/domain.js';
import type { FACETS } from './facets.js';
import type { DomainsOf } from './shared/domain/domain-module.js';

/**
 * The domains of CareStack: one line each (docs/adding-a-domain.md). Every registry is derived from
 * this list (lambdas/registry.ts): functions, routes, events, notifications, off-app lines, FHIR
 * mappings, the local stack's wiring, the stack's API functions, the API documents and the trust
 * suite's maps (scheduled work from the list of jobs, lambdas/jobs.ts). The order is the route table's, and so the documents'.
 *
 * No Lambda function imports this module: each API function imports only its own domain, and the
 * platform functions that act for every domain (events, the notifications fan-out, delivery,
 * the FHIR export) read the facets (lambdas/facets.ts), and scheduled work the jobs (lambdas/jobs.ts). That list has a line per domain too; the
 * type below holds both to the same ids in the same order, so a domain in one and not in the other
 * fails `npm run typecheck`.
 */
export const DOMAINS = [
  IDENTITY_DOMAIN,
  NOTIFICATIONS_DOMAIN,
  ASSISTED_LIVING_DOMAIN,
  MESSAGING_DOMAIN,
  MEDICATIONS_DOMAIN,
  ACCESS_REPORTS_DOMAIN,
  HOME_HEALTH_DOMAIN,
  CONCIERGE_DOMAIN,
  INVITATIONS_DOMAIN,
  RESPITE_DOMAIN,
  RECORDS_DOMAIN,
] as const satisfies DomainsOf<typeof FACETS>;

export type Domain = (typeof DOMAINS)[number];
/** The id of a domain's API function. */
export type ApiFunctionId = Domain['id'];

const API_FUNCTION_IDS: ReadonlySet<string> = new Set(DOMAINS.map((d) => d.id));

/** A route's `fn` as the id of a domain's API function; throws for a function no domain declares. */
export function apiFunctionOf(fn: string): ApiFunctionId {
  if (!API_FUNCTION_IDS.has(fn)) throw new Error(`No domain declares the API function "${fn}"`);
  return fn as ApiFunctionId;
}
