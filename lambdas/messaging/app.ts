import { People } from '../shared/people/people.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { AttachmentStore } from './attachment-store.js';
import { MessagingRepository } from './repository.js';
import { MESSAGING_ROUTES } from './routes.js';
import { MessagingService } from './service.js';

export interface MessagingDeps {
  db: Db;
  /** Attachment files: S3 on AWS, files under `.carestack/attachments/` locally. */
  attachments: AttachmentStore;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The messaging function: each route of MESSAGING_ROUTES is a line to a use case. */
export function createMessagingHandler(deps: MessagingDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new MessagingService(
    new MessagingRepository(deps.db),
    people,
    new AccessPolicy(people, people),
    deps.attachments,
    deps.db,
    new OrgSettingsRepository(deps.db),
    deps.clock,
  );

  return createApiHandler(
    MESSAGING_ROUTES,
    {
      'POST /conversations': ({ caller, write, body, idempotency }) => service.createConversation(caller, write, body, idempotency),
      'GET /me/conversations': ({ caller, query }) => service.listMyConversations(caller, query),
      'GET /conversations/{conversationId}': ({ caller, params }) => service.getConversation(caller, params.conversationId),
      'PUT /conversations/{conversationId}/legal-hold': ({ caller, write, params, body }) => service.setLegalHold(caller, write, params.conversationId, body),
      'POST /conversations/{conversationId}/participants': ({ caller, write, params, body, idempotency }) =>
        service.addParticipant(caller, write, params.conversationId, body, idempotency),
      'POST /conversations/{conversationId}/messages': ({ caller, write, params, body, idempotency }) =>
        service.sendMessage(caller, write, params.conversationId, body, idempotency),
      'GET /conversations/{conversationId}/messages': ({ caller, params, query }) => service.listMessages(caller, params.conversationId, query),
      'POST /conversations/{conversationId}/read': ({ caller, write, params, body }) =>
        service.markRead(caller, write, params.conversationId, body.upToMessageId),
      'POST /attachments': ({ caller, write, body, idempotency }) => service.createAttachment(caller, write, body, idempotency),
      'GET /attachments/{attachmentId}': ({ caller, write, params }) => service.getAttachment(caller, write, params.attachmentId),
    },
    deps,
  );
}
