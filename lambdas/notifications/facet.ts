import { defineFacet } from '../shared/domain/domain-module.js';
import { NOTIFICATIONS_EVENT_RULES } from './events.js';

/** What the platform functions read of notifications (DomainFacet): no routes, app or request schemas. */
export const NOTIFICATIONS_FACET = defineFacet({
  id: 'notifications',
  events: NOTIFICATIONS_EVENT_RULES,
});
