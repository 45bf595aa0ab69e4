import { ListNotificationsQuery, Notification, NotificationList, NotificationParams } from '../../schemas/notifications.js';
import type { RouteDef } from '../shared/http/route-def.js';

/** The caller's inbox (API.md, "Assisted living"): served by the `notifications` function. */
export const NOTIFICATIONS_ROUTES: readonly RouteDef[] = [
  {
    method: 'GET', path: '/me/notifications', fn: 'notifications', auth: true, roles: 'any',
    summary: "The caller's notifications, newest first, with unreadCount", query: ListNotificationsQuery, response: NotificationList,
  },
  {
    method: 'POST', path: '/me/notifications/{notificationId}/read', fn: 'notifications', auth: true, roles: 'any',
    summary: 'Mark one of the caller\'s notifications read (again is a no-op)', params: NotificationParams, response: Notification,
  },
];
