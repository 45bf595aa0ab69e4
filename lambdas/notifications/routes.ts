import { ListNotificationsQuery, Notification, NotificationList, NotificationParams } from '../../schemas/notifications.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** The caller's inbox (API.md, "Assisted living"): served by the `notifications` function. */
export const NOTIFICATIONS_ROUTES = defineRoutes('notifications', {
  'GET /me/notifications': {
    roles: 'any',
    summary: "The caller's notifications, newest first, with unreadCount", query: ListNotificationsQuery, response: NotificationList,
  },
  'POST /me/notifications/{notificationId}/read': {
    roles: 'any',
    summary: 'Mark one of the caller\'s notifications read (again is a no-op)', params: NotificationParams, response: Notification,
  },
});
