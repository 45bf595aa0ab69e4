import { defineDomain } from '../shared/domain/domain-module.js';
import { createRespiteHandler } from './app.js';
import { RESPITE_ROUTES } from './routes.js';
import { RESPITE_FACET } from './facet.js';

/** Caregiver respite: caregiver profiles, yearly hour budgets, sessions, offers to aides. */
export const RESPITE_DOMAIN = defineDomain(RESPITE_FACET, {
  description: 'Caregiver respite: caregiver profiles, yearly hour budgets, sessions, offers to aides',
  entry: 'lambdas/respite/handler.ts',
  app: 'lambdas/respite/app.ts',
  routes: RESPITE_ROUTES,
  create: createRespiteHandler,
});
