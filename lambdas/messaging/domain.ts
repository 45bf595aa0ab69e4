import { defineDomain } from '../shared/domain/domain-module.js';
import { createMessagingHandler } from './app.js';
import { MESSAGING_ROUTES } from './routes.js';
import { MESSAGING_FACET } from './facet.js';

/** Secure messaging: conversations, messages, read receipts, attachments. */
export const MESSAGING_DOMAIN = defineDomain(MESSAGING_FACET, {
  description: 'Secure messaging: conversations, messages, read receipts, attachments',
  entry: 'lambdas/messaging/handler.ts',
  app: 'lambdas/messaging/app.ts',
  routes: MESSAGING_ROUTES,
  create: createMessagingHandler,
});
