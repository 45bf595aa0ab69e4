import { defineDomain } from '../shared/domain/domain-module.js';
import { createAssistedLivingHandler } from './app.js';
import { ASSISTED_LIVING_ROUTES } from './routes.js';
import { ASSISTED_LIVING_FACET } from './facet.js';

/** Assisted living: incident reports with regulatory deadlines, resident dashboards. */
export const ASSISTED_LIVING_DOMAIN = defineDomain(ASSISTED_LIVING_FACET, {
  description: 'Assisted living: incident reports with regulatory deadlines, resident dashboards',
  entry: 'lambdas/assisted-living/handler.ts',
  app: 'lambdas/assisted-living/app.ts',
  routes: ASSISTED_LIVING_ROUTES,
  create: createAssistedLivingHandler,
});
