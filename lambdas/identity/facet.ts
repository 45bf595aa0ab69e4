import { defineFacet } from '../shared/domain/domain-module.js';
import { IDENTITY_EVENT_RULES } from './events.js';

/** What the platform functions read of identity (DomainFacet): no routes, app or request schemas. */
export const IDENTITY_FACET = defineFacet({
  id: 'identity',
  events: IDENTITY_EVENT_RULES,
});
