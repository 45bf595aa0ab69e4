import { defineDomain } from '../shared/domain/domain-module.js';
import { createNotificationsHandler } from './app.js';
import { NOTIFICATIONS_ROUTES } from './routes.js';
import { NOTIFICATIONS_FACET } from './facet.js';

/**
 * Notifications: the caller's inbox (`/me/notifications`), delivery preferences and devices. The
 * fan-out of domain events to inboxes is a platform function (`notificationsFanOut`,
 * lambdas/platform.ts): it reads every domain's notification rules, which this function must not carry.
 */
export const NOTIFICATIONS_DOMAIN = defineDomain(NOTIFICATIONS_FACET, {
  description: 'Notifications: inbox routes, delivery preferences and devices',
  entry: 'lambdas/notifications/handler.ts',
  app: 'lambdas/notifications/app.ts',
  routes: NOTIFICATIONS_ROUTES,
  create: createNotificationsHandler,
});
