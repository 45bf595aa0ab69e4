import { defineDomain } from '../shared/domain/domain-module.js';
import { createMessagingHandler } from './app.js';
import { MESSAGING_EVENT_RULES } from './events.js';
import { MESSAGING_ROUTES } from './routes.js';

/** Secure messaging: conversations, messages, read receipts, attachments. */
export const MESSAGING_DOMAIN = defineDomain({
  id: 'messaging',
  description: 'Secure messaging: conversations, messages, read receipts, attachments',
  entry: 'lambdas/messaging/handler.ts',
  app: 'lambdas/messaging/app.ts',
  routes: MESSAGING_ROUTES,
  create: createMessagingHandler,
  events: MESSAGING_EVENT_RULES,
  notifications: { MessageSent: { offApp: 'You have a new message' } },
});
