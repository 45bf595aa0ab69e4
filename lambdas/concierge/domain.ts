import { defineDomain } from '../shared/domain/domain-module.js';
import { createConciergeHandler } from './app.js';
import { CONCIERGE_ROUTES } from './routes.js';
import { CONCIERGE_FACET } from './facet.js';

/** Medical concierge: providers, free slots, appointments, lab results, treatment plans. */
export const CONCIERGE_DOMAIN = defineDomain(CONCIERGE_FACET, {
  description: 'Medical concierge: providers, appointments, lab results, treatment plans',
  entry: 'lambdas/concierge/handler.ts',
  app: 'lambdas/concierge/app.ts',
  routes: CONCIERGE_ROUTES,
  create: createConciergeHandler,
});
