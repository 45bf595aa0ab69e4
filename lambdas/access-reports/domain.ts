import { defineDomain } from '../shared/domain/domain-module.js';
import { createAccessReportsHandler } from './app.js';
import { ACCESS_REPORT_ROUTES } from './routes.js';
import { ACCESS_REPORTS_FACET } from './facet.js';

/** Patient access reports (accounting of disclosures) from the audit trail, on Athena. */
export const ACCESS_REPORTS_DOMAIN = defineDomain(ACCESS_REPORTS_FACET, {
  description: 'Patient access reports: who read or changed a patient record, from the audit trail',
  entry: 'lambdas/access-reports/handler.ts',
  app: 'lambdas/access-reports/app.ts',
  routes: ACCESS_REPORT_ROUTES,
  create: createAccessReportsHandler,
});
