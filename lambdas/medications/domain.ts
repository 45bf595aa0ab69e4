import { defineDomain } from '../shared/domain/domain-module.js';
import { createMedicationsHandler } from './app.js';
import { MEDICATION_ROUTES } from './routes.js';
import { MEDICATIONS_FACET } from './facet.js';

/** Medication adherence: medications, doses, confirmations, alerts, adherence. */
export const MEDICATIONS_DOMAIN = defineDomain(MEDICATIONS_FACET, {
  description: 'Medication adherence: medications, doses, confirmations, alerts, adherence',
  entry: 'lambdas/medications/handler.ts',
  app: 'lambdas/medications/app.ts',
  routes: MEDICATION_ROUTES,
  create: createMedicationsHandler,
});
