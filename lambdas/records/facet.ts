import { defineFacet } from '../shared/domain/domain-module.js';

/** What the platform functions read of records (DomainFacet): it maps nothing itself, so nothing. */
export const RECORDS_FACET = defineFacet({
  id: 'records',
});
