import { defineDomain } from '../shared/domain/domain-module.js';
import { createNotificationsHandler } from './app.js';
import { NOTIFICATIONS_EVENT_RULES } from './events.js';
import { NOTIFICATIONS_ROUTES } from './routes.js';

/**
 * Notifications: the caller's inbox (`/me/notifications`), delivery preferences and devices; and
 * the fan-out of domain events to inboxes, a function of its own because it reads every domain's
 * notification table (lambdas/domains.ts), which the inbox routes' function must not carry.
 */
export const NOTIFICATIONS_DOMAIN = defineDomain({
  id: 'notifications',
  description: 'Notifications: inbox routes, delivery preferences and devices',
  entry: 'lambdas/notifications/handler.ts',
  app: 'lambdas/notifications/app.ts',
  routes: NOTIFICATIONS_ROUTES,
  create: createNotificationsHandler,
  events: NOTIFICATIONS_EVENT_RULES,
  functions: {
    /** Bus target of the notifying event types: one inbox item per recipient. */
    notificationsFanOut: {
      entry: 'lambdas/notifications/fan-out-handler.ts',
      app: 'lambdas/notifications/app.ts',
      kind: 'bus',
      description: 'Fans domain events out to the inboxes of their recipients',
    },
  },
});
