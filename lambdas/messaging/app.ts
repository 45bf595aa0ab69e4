import type { z } from 'zod';
import type { ListQuery } from '../../schemas/common.js';
import type {
  AddParticipantBody,
  AttachmentParams,
  ConversationParams,
  CreateAttachmentBody,
  CreateConversationBody,
  ReadReceiptBody,
  SendMessageBody,
} from '../../schemas/messaging.js';
import { IdentityRepository } from '../identity/repository.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, route, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { AttachmentStore } from './attachment-store.js';
import { MessagingRepository } from './repository.js';
import { MessagingService } from './service.js';

export interface MessagingDeps {
  db: Db;
  /** Attachment files: S3 on AWS, files under `.carestack/attachments/` locally. */
  attachments: AttachmentStore;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

type In<T extends z.ZodType> = z.infer<T>;
type Conv = In<typeof ConversationParams>;

/** The messaging function: each route of lambdas/messaging/routes.ts is a line to a use case. */
export function createMessagingHandler(deps: MessagingDeps): ApiHandler {
  const people = new IdentityRepository(deps.db);
  const service = new MessagingService(new MessagingRepository(deps.db), people, new AccessPolicy(people, people), deps.attachments, deps.db);

  return createApiHandler(
    'messaging',
    {
      'POST /conversations': route<undefined, undefined, In<typeof CreateConversationBody>>({
        handle: ({ caller, write, body, idempotency }) => service.createConversation(caller, write, body, idempotency),
      }),
      'GET /me/conversations': route<undefined, In<typeof ListQuery>>({
        handle: ({ caller, query }) => service.listMyConversations(caller, query),
      }),
      'GET /conversations/{conversationId}': route<Conv>({
        handle: ({ caller, params }) => service.getConversation(caller, params.conversationId),
      }),
      'POST /conversations/{conversationId}/participants': route<Conv, undefined, In<typeof AddParticipantBody>>({
        handle: ({ caller, write, params, body, idempotency }) => service.addParticipant(caller, write, params.conversationId, body, idempotency),
      }),
      'POST /conversations/{conversationId}/messages': route<Conv, undefined, In<typeof SendMessageBody>>({
        handle: ({ caller, write, params, body, idempotency }) => service.sendMessage(caller, write, params.conversationId, body, idempotency),
      }),
      'GET /conversations/{conversationId}/messages': route<Conv, In<typeof ListQuery>>({
        handle: ({ caller, params, query }) => service.listMessages(caller, params.conversationId, query),
      }),
      'POST /conversations/{conversationId}/read': route<Conv, undefined, In<typeof ReadReceiptBody>>({
        handle: ({ caller, write, params, body }) => service.markRead(caller, write, params.conversationId, body.upToMessageId),
      }),
      'POST /attachments': route<undefined, undefined, In<typeof CreateAttachmentBody>>({
        handle: ({ caller, write, body, idempotency }) => service.createAttachment(caller, write, body, idempotency),
      }),
      'GET /attachments/{attachmentId}': route<In<typeof AttachmentParams>>({
        handle: ({ caller, write, params }) => service.getAttachment(caller, write, params.attachmentId),
      }),
    },
    deps,
  );
}
