import { defineFacet } from '../shared/domain/domain-module.js';

/** What the platform functions read of invitations (DomainFacet): no routes, app or request schemas. */
export const INVITATIONS_FACET = defineFacet({
  id: 'invitations',
});
