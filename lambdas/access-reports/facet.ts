import { defineFacet } from '../shared/domain/domain-module.js';

/** What the platform functions read of access reports (DomainFacet): no routes, app or request schemas. */
export const ACCESS_REPORTS_FACET = defineFacet({
  id: 'accessReports',
});
