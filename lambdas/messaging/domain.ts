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
  functions: {
    // Stream consumer (docs/retention.md): files deleted after TTL, TTLs re-timed on a retention change or a legal hold.
    messagingRetention: {
      entry: 'lambdas/messaging/retention-handler.ts',
      app: 'lambdas/messaging/retention.ts',
      kind: 'stream',
      description: 'Message retention: deletes attachment files after TTL, re-times TTLs when retention or a legal hold changes',
    },
  },
});
