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
  },
};
