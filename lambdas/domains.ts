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

/**
 * The domains of CareStack: one line each (docs/adding-a-domain.md). Every registry is derived from
 * this list (lambdas/registry.ts): functions, routes, events, notifications, off-app lines,
 * scheduled work, the local stack's wiring, the stack's API functions, the API documents and the
 * trust suite's maps. The order is the route table's, and so the documents'.
 *
 * No API function imports this module (each imports only its own domain): the platform functions
 * that act for every domain do (events, the notifications fan-out, delivery, scheduled work).
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
] as const;

export type Domain = (typeof DOMAINS)[number];
/** The id of a domain's API function. */
export type ApiFunctionId = Domain['id'];

const API_FUNCTION_IDS: ReadonlySet<string> = new Set(DOMAINS.map((d) => d.id));

/** A route's `fn` as the id of a domain's API function; throws for a function no domain declares. */
export function apiFunctionOf(fn: string): ApiFunctionId {
  if (!API_FUNCTION_IDS.has(fn)) throw new Error(`No domain declares the API function "${fn}"`);
  return fn as ApiFunctionId;
}
