import type { EventRule } from '../shared/events/event-rule.js';

/**
 * Respite: every change of a session is `RespiteSessionUpdated` on its patient's channel
 * (`onPatientEvent`), except the late mark (set once by the late check-in schedule), which is
 * `RespiteSessionLate` and notifies the coordinators. Offers reach the offered aide only
 * (`onMyEvent`, no `patientId`): `RespiteOfferMade`, then `RespiteOfferUpdated` as it is accepted,
 * declined or expires. A notice item's INSERT is one `RespiteReminder` per recipient (the requester
 * and the aide), addressed to them only.
 */
export const RESPITE_EVENT_RULES: Record<string, EventRule> = {
  RespiteSession: {
    INSERT: 'RespiteSessionUpdated',
    MODIFY: 'RespiteSessionUpdated',
    typeFor: (change) => {
      if (change.eventName === 'INSERT') return 'RespiteSessionUpdated';
      if (change.eventName !== 'MODIFY') return undefined;
      const late = change.newImage?.lateNotifiedAt !== undefined && change.oldImage?.lateNotifiedAt === undefined;
      return late ? 'RespiteSessionLate' : 'RespiteSessionUpdated';
    },
  },
  RespiteOffer: {
    INSERT: 'RespiteOfferMade',
    MODIFY: 'RespiteOfferUpdated',
    recipients: (image) => (typeof image.aideId === 'string' ? [image.aideId] : []),
    recipientsOnly: true,
    ids: (image) => ({ sessionId: String(image.sessionId), patientId: String(image.patientId) }),
  },
  RespiteReminder: {
    INSERT: 'RespiteReminder',
    recipients: (image) => (Array.isArray(image.recipientIds) ? image.recipientIds.map(String) : []),
    recipientsOnly: true,
    ids: (image) => ({ sessionId: String(image.sessionId), patientId: String(image.patientId) }),
  },
};
