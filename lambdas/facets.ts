import { ACCESS_REPORTS_FACET } from './access-reports/facet.js';
import { ASSISTED_LIVING_FACET } from './assisted-living/facet.js';
import { CONCIERGE_FACET } from './concierge/facet.js';
import { HOME_HEALTH_FACET } from './home-health/facet.js';
import { IDENTITY_FACET } from './identity/facet.js';
import { INVITATIONS_FACET } from './invitations/facet.js';
import { MEDICATIONS_FACET } from './medications/facet.js';
import { MESSAGING_FACET } from './messaging/facet.js';
import { NOTIFICATIONS_FACET } from './notifications/facet.js';
import { RECORDS_FACET } from './records/facet.js';
import { RESPITE_FACET } from './respite/facet.js';

/**
 * The domains' facets (DomainFacet, `lambdas/<domain>/facet.ts`): one line each, in the order of
 * DOMAINS (lambdas/domains.ts), which `npm run typecheck` holds to this list (the same ids in the
 * same order). What the platform functions that act for every domain read (events, the
 * notifications fan-out, delivery, the FHIR export: lambdas/platform-registry.ts), so their bundles
 * carry no domain's routes, app, request schemas or repositories (scheduled work reads
 * lambdas/jobs.ts). It lives apart from DOMAINS because a list of
 * full descriptors imports every domain's API.
 */
export const FACETS = [
  IDENTITY_FACET,
  NOTIFICATIONS_FACET,
  ASSISTED_LIVING_FACET,
  MESSAGING_FACET,
  MEDICATIONS_FACET,
  ACCESS_REPORTS_FACET,
  HOME_HEALTH_FACET,
  CONCIERGE_FACET,
  INVITATIONS_FACET,
  RESPITE_FACET,
  RECORDS_FACET,
] as const;
