import { defineFacet } from '../shared/domain/domain-module.js';
import { HOME_HEALTH_EVENT_RULES } from './events.js';
import { HOME_HEALTH_FHIR } from './fhir.js';

/** What the platform functions read of home health (DomainFacet): no routes, app or request schemas. */
export const HOME_HEALTH_FACET = defineFacet({
  id: 'homeHealth',
  events: HOME_HEALTH_EVENT_RULES,
  // API.md, "Aides, home visits and EVV": an assigned visit not checked in 15 minutes after its start
  // (coordinators); not checked in by its end, missed (coordinators and the assigned aide, the
  // event's recipient; urgent); a supply's stock crossing its reorder level downwards (coordinators).
  notifications: {
    VisitLate: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Visit late', body: 'An assigned home visit has not been checked in 15 minutes after its start.' }) },
      offApp: 'A visit is running late',
    },
    VisitMissed: {
      inbox: { recipients: 'coordinatorsAndEventRecipient', message: () => ({ title: 'Visit missed', body: 'A home visit was not checked in by its scheduled end and is marked missed.' }) },
      offApp: 'A visit needs your attention',
      urgent: true,
    },
    SupplyLow: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Supply low', body: 'A supply item fell below its reorder level.' }) },
      offApp: 'A supply is running low',
    },
    VisitUpdated: { offApp: 'A visit was updated' },
  },
  fhir: HOME_HEALTH_FHIR,
});
