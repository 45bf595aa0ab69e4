import type { EventRule } from '../shared/events/event-rule.js';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/**
 * Messaging's realtime events. Both go only to their recipients (`onMyEvent`): a conversation's
 * messages are for its participants, not for everyone who may see the patient it is about, so
 * `recipientsOnly` keeps them off `onPatientEvent`.
 */
export const MESSAGING_EVENT_RULES: Record<string, EventRule> = {
  Message: {
    INSERT: 'MessageSent',
    recipientsOnly: true,
    // Every participant but the sender, as stored on the message when it was sent.
    recipients: (image) => strings(image.recipientIds),
    ids: (image) => ({ conversationId: String(image.conversationId) }),
  },
  ConversationParticipant: {
    INSERT: 'ParticipantAdded',
    recipientsOnly: true,
    // The user who was added, unless they started the conversation themself.
    recipients: (image) => (typeof image.userId === 'string' && image.userId !== image.updatedBy ? [image.userId] : []),
    ids: (image) => ({ conversationId: String(image.conversationId) }),
  },
};
