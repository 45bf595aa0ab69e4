import { ASSISTED_LIVING_ROUTES } from './assisted-living/routes.js';
import { IDENTITY_ROUTES } from './identity/routes.js';
import { MEDICATION_ROUTES } from './medications/routes.js';
import { MESSAGING_ROUTES } from './messaging/routes.js';
import { NOTIFICATIONS_ROUTES } from './notifications/routes.js';
import type { RouteDef } from './shared/http/route-def.js';

export { routeKey, type HttpMethod, type RouteDef } from './shared/http/route-def.js';

/**
 * The REST route table: every route of every domain. The CDK app builds API Gateway resources and
 * methods from it, the local gateway matches requests against it, each domain function dispatches
 * on it, and the API documents are generated from it. A route exists only if it is here.
 */
export const ROUTES: readonly RouteDef[] = [...IDENTITY_ROUTES, ...NOTIFICATIONS_ROUTES, ...ASSISTED_LIVING_ROUTES, ...MESSAGING_ROUTES, ...MEDICATION_ROUTES];
