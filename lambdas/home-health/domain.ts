import { defineDomain } from '../shared/domain/domain-module.js';
import { createHomeHealthHandler } from './app.js';
import { HOME_HEALTH_ROUTES } from './routes.js';
import { HOME_HEALTH_FACET } from './facet.js';

/** Home health: aide profiles, the aide calendar, visits with EVV, routes, supplies, service logs. */
export const HOME_HEALTH_DOMAIN = defineDomain(HOME_HEALTH_FACET, {
  description: 'Home health: aides, visits with EVV, day routes, supplies, service logs',
  entry: 'lambdas/home-health/handler.ts',
  app: 'lambdas/home-health/app.ts',
  routes: HOME_HEALTH_ROUTES,
  create: createHomeHealthHandler,
});
