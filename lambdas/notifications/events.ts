import type { EventRule } from '../shared/events/event-rule.js';

/**
 * Notifications: realtime events addressed to their recipient (`onMyEvent`) only. The item has no
 * `patientId` (it keeps `aboutPatientId`), so nothing reaches a patient's subscribers.
 */
export const NOTIFICATIONS_EVENT_RULES: Record<string, EventRule> = {
  Notification: {
    INSERT: 'NotificationCreated',
    // Lets the recipient's other devices update their unread badge.
    MODIFY: 'NotificationRead',
    recipients: (image) => (typeof image.userId === 'string' ? [image.userId] : []),
    // API.md, Realtime: `data.notificationType` (`DoseMissed`, ...) lets an app show the right
    // banner without a round trip. The type names the event that caused it, never clinical content.
    ids: (image): Record<string, string> => (typeof image.type === 'string' && image.type ? { notificationType: image.type } : {}),
  },
};
