import { defineFacet } from '../shared/domain/domain-module.js';
import { RESPITE_EVENT_RULES } from './events.js';
import { RESPITE_FHIR } from './fhir.js';

/** What the platform functions read of respite (DomainFacet): no routes, app or request schemas. */
export const RESPITE_FACET = defineFacet({
  id: 'respite',
  events: RESPITE_EVENT_RULES,
  // API.md, "Caregiver respite": an offer reaches the aide it is made to; notices at start - 24 h and
  // start - 1 h reach the requester and the aide (each notice event is addressed to one of them); a
  // confirmed session not checked in 15 minutes after start reaches the org's coordinators.
  notifications: {
    RespiteOfferMade: {
      inbox: { recipients: 'eventRecipient', message: () => ({ title: 'Respite offer', body: 'You have been offered a respite session. Accept or decline it in the app.' }) },
      offApp: 'You have a respite offer to answer',
    },
    RespiteReminder: {
      inbox: { recipients: 'eventRecipient', message: () => ({ title: 'Respite session coming up', body: 'A confirmed respite session starts soon.' }) },
      offApp: 'You have an upcoming respite session',
    },
    RespiteSessionLate: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Respite session late', body: 'A confirmed respite session has not been checked in 15 minutes after its start.' }) },
      offApp: 'A respite session needs your attention',
    },
    RespiteSessionUpdated: { offApp: 'A respite session was updated' },
  },
  fhir: RESPITE_FHIR,
});
