/**
 * The REST route table: every route of every domain, derived from the domains' descriptors
 * (lambdas/domains.ts, lambdas/registry.ts). The CDK app builds API Gateway resources and methods
 * from it, the local gateway matches requests against it, the API documents, the trust suite and the
 * bench iterate it. A route exists only if its domain declares it. No Lambda function imports this
 * module: each dispatches on its own domain's routes, so no API bundle carries another domain's
 * schemas (test/infra/bundling.test.ts).
 */
export { ROUTES } from './registry.js';
export { routeKey, type HttpMethod, type RouteDef } from './shared/http/route-def.js';
