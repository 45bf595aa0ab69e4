import { defineFacet } from '../shared/domain/domain-module.js';
import { IDENTITY_EVENT_RULES } from './events.js';
import { IDENTITY_FHIR } from './fhir.js';

/** What the platform functions read of identity (DomainFacet): no routes, app or request schemas. */
export const IDENTITY_FACET = defineFacet({
  id: 'identity',
  events: IDENTITY_EVENT_RULES,
  fhir: IDENTITY_FHIR,
});
