import { defineFacet } from '../shared/domain/domain-module.js';
import { MESSAGING_EVENT_RULES } from './events.js';

/** What the platform functions read of messaging (DomainFacet): no routes, app or request schemas. */
export const MESSAGING_FACET = defineFacet({
  id: 'messaging',
  events: MESSAGING_EVENT_RULES,
  notifications: { MessageSent: { offApp: 'You have a new message' } },
});
