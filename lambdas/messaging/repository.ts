import type { Db } from '../shared/data/db.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { AttachmentRecord } from './entities.js';
import type { AttachmentUse } from './expiry.js';
import { AttachmentRepository } from './repositories/attachments.js';
import { ConversationRepository } from './repositories/conversations.js';
import { MessageRepository } from './repositories/messages.js';

export type { AttachmentRecord, ConversationRecord, MessageRecord, ParticipantRecord } from './entities.js';
export type { SendOutcome } from './repositories/messages.js';

/**
 * Messaging's items in the single table, by entity (repositories/): the only messaging code that knows keys
 * (docs/data-model.md, "Messaging"). One idempotency store serves all of them, since a key is the
 * caller's whatever it creates.
 */
export class MessagingRepository {
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly attachments: AttachmentRepository;
  private readonly idempotency: Idempotency;

  constructor(db: Db) {
    this.idempotency = new Idempotency(db);
    this.conversations = new ConversationRepository(db, this.idempotency);
    this.messages = new MessageRepository(db, this.idempotency);
    this.attachments = new AttachmentRepository(db, this.idempotency);
  }

  /**
   * Each conversation the attachment is in (but `except`), with its hold and the newest message
   * naming the file there: what its expiry and TTL follow (expiry.ts). One BatchGet.
   */
  async attachmentUses(orgId: string, attachment: AttachmentRecord, except?: string): Promise<Array<AttachmentUse & { conversationId: string }>> {
    const ids = attachment.conversationIds.filter((c) => c !== except);
    if (ids.length === 0) return [];
    const metas = new Map((await this.conversations.getConversations(orgId, ids)).map((c) => [c.id, c]));
    return ids.map((c) => ({ conversationId: c, latestMessageId: attachment.latestMessageIds[c] ?? null, conversation: metas.get(c) ?? {} }));
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }
}
