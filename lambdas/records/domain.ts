import { defineDomain } from '../shared/domain/domain-module.js';
import { createRecordsHandler } from './app.js';
import { RECORDS_FACET } from './facet.js';
import { RECORDS_ROUTES } from './routes.js';

/**
 * Patient records out: a cross-domain read (like access reports), the patient's record as FHIR R4.
 * It maps nothing itself: each domain maps its own items (its facet's `fhir`), and the list of
 * mappings is derived from the facets (lambdas/platform-registry.ts) and handed in (`PlatformPorts.fhir`).
 */
export const RECORDS_DOMAIN = defineDomain(RECORDS_FACET, {
  description: "Patient records out: the patient's record as a FHIR R4 Bundle",
  entry: 'lambdas/records/handler.ts',
  app: 'lambdas/records/app.ts',
  routes: RECORDS_ROUTES,
  create: createRecordsHandler,
});
