import { ListNotificationsQuery, Notification, NotificationList, NotificationParams } from '../../schemas/notifications.js';
import { Device, DeviceParams, NotificationPreferences, PutNotificationPreferencesBody, RegisterDeviceBody } from '../../schemas/delivery.js';
import { defineRoutes } from '../shared/http/route-def.js';

/**
 * The caller's inbox (API.md, "Assisted living") and how it reaches them off the app (API.md,
 * "Delivery off the app"): served by the `notifications` function. The sending itself is the
 * `delivery` function's, off the API path (docs/delivery.md).
 */
export const NOTIFICATIONS_ROUTES = defineRoutes('notifications', {
  'GET /me/notifications': {
    operation: 'listMyNotifications', roles: 'any',
    summary: "The caller's notifications, newest first, with unreadCount", query: ListNotificationsQuery, response: NotificationList,
  },
  'POST /me/notifications/{notificationId}/read': {
    operation: 'markNotificationRead', roles: 'any',
    summary: 'Mark one of the caller\'s notifications read (again is a no-op)', params: NotificationParams, response: Notification,
  },
  'PUT /me/notification-preferences': {
    operation: 'setNotificationPreferences', roles: 'any',
    summary: "Replace the caller's delivery preferences (channels, phone number, quiet hours, muted types)",
    body: PutNotificationPreferencesBody, response: NotificationPreferences,
  },
  'GET /me/notification-preferences': {
    operation: 'getNotificationPreferences', roles: 'any',
    summary: "The caller's delivery preferences (the defaults, version 0, until saved)", response: NotificationPreferences,
  },
  'POST /me/devices': {
    operation: 'registerDevice', roles: 'any',
    summary: 'Register a push device of the caller (the same token again answers the same device)',
    body: RegisterDeviceBody, response: Device, status: 201,
  },
  'DELETE /me/devices/{deviceId}': {
    operation: 'removeDevice', roles: 'any',
    summary: "Remove one of the caller's push devices", params: DeviceParams, status: 204,
  },
});
