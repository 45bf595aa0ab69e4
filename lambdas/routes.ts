import { ACCESS_REPORT_ROUTES } from './access-reports/routes.js';
import { ASSISTED_LIVING_ROUTES } from './assisted-living/routes.js';
import { CONCIERGE_ROUTES } from './concierge/routes.js';
import { HOME_HEALTH_ROUTES } from './home-health/routes.js';
import { IDENTITY_ROUTES } from './identity/routes.js';
import { INVITATION_ROUTES } from './invitations/routes.js';
import { MEDICATION_ROUTES } from './medications/routes.js';
import { MESSAGING_ROUTES } from './messaging/routes.js';
import { NOTIFICATIONS_ROUTES } from './notifications/routes.js';
import { RESPITE_ROUTES } from './respite/routes.js';
import type { RouteDef } from './shared/http/route-def.js';

export { routeKey, type HttpMethod, type RouteDef } from './shared/http/route-def.js';

/**
 * The REST route table: every route of every domain, joined from each domain's `defineRoutes`.
 * The CDK app builds API Gateway resources and methods from it, the local gateway matches requests
 * against it, the API documents, the trust suite and the bench iterate it. A route exists only if
 * it is here. No Lambda function imports this module: each dispatches on its own domain's routes,
 * so no bundle carries another domain's schemas (test/infra/bundling.test.ts).
 */
export const ROUTES: readonly RouteDef[] = [...IDENTITY_ROUTES, ...NOTIFICATIONS_ROUTES, ...ASSISTED_LIVING_ROUTES, ...MESSAGING_ROUTES, ...MEDICATION_ROUTES, ...ACCESS_REPORT_ROUTES, ...HOME_HEALTH_ROUTES, ...CONCIERGE_ROUTES, ...INVITATION_ROUTES, ...RESPITE_ROUTES];
