import type { Db, Item, Page } from '../../shared/data/db.js';
import { TransactionCancelledError } from '../../shared/data/transaction-failures.js';
import type { Idempotency, IdempotencyRequest } from '../../shared/data/idempotency.js';
import { versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import {
  AttachmentEntity,
  ConversationEntity,
  MessageEntity,
  ParticipantEntity,
  type AttachmentRecord,
  type ConversationRecord,
  type MessageRecord,
} from '../entities.js';

/** Why a send did not commit, for the service to decide what to do next. */
export type SendOutcome =
  | { ok: true; response: unknown }
  /**
   * The conversation moved on meanwhile: a message with a later id committed first, or a
   * participant joined. Read it again and retry with a new id.
   */
  | { ok: false; reason: 'conversation_changed' }
  /** An attachment is not (or no longer) the sender's. */
  | { ok: false; reason: 'attachment_refused' };

/**
 * Messages, and the send that touches every item of a conversation. Access patterns
 * (docs/data-model.md, "Messaging"):
 * - messages newest first: Query `ORG#o#CONV#c`, `MSG#`, reverse, one page
 * - messages of others in a range (a receipt's count): Query `ORG#o#CONV#c`, `SK BETWEEN`
 */
export class MessageRepository {
  constructor(
    private readonly db: Db,
    private readonly idempotency: Idempotency,
  ) {}

  async getMessage(orgId: string, conversationId: string, messageId: string): Promise<MessageRecord | undefined> {
    const item = await this.db.get(MessageEntity.key(orgId, conversationId, messageId), true);
    return item ? MessageEntity.fromItem(item) : undefined;
  }

  /**
   * Messages newest first, from `fromId` on (a ULID time prefix: the first live id; undefined:
   * all). The expired ones are outside the key range, so they are never read.
   */
  async listMessages(orgId: string, conversationId: string, page: { limit: number; cursor?: string }, fromId?: string): Promise<Page<MessageRecord>> {
    const pk = ConversationEntity.partition(orgId, conversationId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ExpressionAttributeValues: { ':pk': pk, ':lo': fromId ? MessageEntity.sk(fromId) : MessageEntity.prefix, ':hi': MessageEntity.end },
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(MessageEntity.fromItem), nextCursor: out.nextCursor };
  }

  /**
   * How many messages lie after `after` (exclusive: a message id) or from `from` (inclusive: a
   * ULID time prefix). Used only where the counter cannot answer: a reader whose read state is
   * older than the retention cutoff (docs/retention.md, "Unread counts"); every message after a
   * participant's read state is someone else's, so this counts their unread ones.
   */
  async countMessages(orgId: string, conversationId: string, range: { after: string } | { from: string }): Promise<number> {
    const items = await this.db.queryAll<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        ProjectionExpression: 'SK',
        ExpressionAttributeValues: {
          ':pk': ConversationEntity.partition(orgId, conversationId),
          ':lo': 'after' in range ? `${MessageEntity.sk(range.after)}!` : MessageEntity.sk(range.from),
          ':hi': MessageEntity.end,
        },
        ConsistentRead: true,
      },
      Number.MAX_SAFE_INTEGER,
    );
    return items.length;
  }

  /** A page of a conversation's messages, oldest first, with their TTL: what the re-timing walks. */
  async pageForRetiming(orgId: string, conversationId: string, page: { limit: number; cursor?: string }): Promise<Page<MessageRecord & { expiresAt?: number }>> {
    const pk = ConversationEntity.partition(orgId, conversationId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MessageEntity.prefix },
        ConsistentRead: true,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return {
      items: out.items.map((i) => ({ ...MessageEntity.fromItem(i), ...(typeof i.expiresAt === 'number' ? { expiresAt: i.expiresAt } : {}) })),
      nextCursor: out.nextCursor,
    };
  }

  /** Sets (or, undefined, removes) a message's TTL; nothing if the item is gone meanwhile. */
  async setMessageTtl(ctx: WriteContext, conversationId: string, messageId: string, ttl: number | undefined): Promise<void> {
    try {
      await this.db.transact({
        message: this.db.update({
          Key: MessageEntity.key(ctx.orgId, conversationId, messageId),
          ...versioned(ctx).set({ expiresAt: ttl, auditAction: 'retention' }).build(),
        }),
      });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('message')) return;
      throw err;
    }
  }

  /**
   * One send, all or nothing: the message, the conversation's last message and count, every
   * participant's activity (their place in "my conversations"), every recipient's unread count +1,
   * the sender's read state moved to their own message, and each referenced attachment linked to
   * the conversation.
   *
   * The conversation only accepts a message whose id is after its last one, so messages commit in
   * id order. That is what keeps unread counts exact: a receipt names a committed message, and
   * every message that commits later has a later id, so it is unread for everyone but its sender.
   */
  async send(
    ctx: WriteContext,
    conversation: ConversationRecord,
    message: MessageRecord,
    attachments: ReadonlyArray<AttachmentRecord & { keptKey: string; ttl: number | undefined }>,
    ttl: number | undefined,
    idem: IdempotencyRequest | undefined,
    response: unknown,
  ): Promise<SendOutcome> {
    const { orgId } = ctx;
    const activity = message.sentAt;
    const nowSeconds = Math.floor(Date.parse(ctx.now) / 1000);
    const parts = {
      message: this.db.put(
        MessageEntity.newItem(MessageEntity.key(orgId, conversation.id, message.id), { ...message, ...(ttl === undefined ? {} : { expiresAt: ttl }) }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      conversation: this.db.update({
        Key: ConversationEntity.meta(orgId, conversation.id),
        ...versioned(ctx)
          .set({ lastMessageId: message.id, lastActivityAt: activity })
          .increment('messageCount', 1)
          .where('attribute_not_exists(#last) OR #last < :msgId', { '#last': 'lastMessageId' }, { ':msgId': message.id })
          .where('size(#pids) = :count', { '#pids': 'participantIds' }, { ':count': conversation.participantIds.length })
          .where(conversation.legalHold ? 'attribute_exists(#hold)' : 'attribute_not_exists(#hold)', { '#hold': 'legalHold' })
          .build(),
      }),
      participants: conversation.participantIds.map((userId) => {
        const common = { lastMessageId: message.id, lastActivityAt: activity, ...ParticipantEntity.byActivity(orgId, userId, activity, conversation.id) };
        const spec =
          userId === message.senderId
            ? // Sending implies having read the conversation up to one's own message.
              versioned(ctx).set({ ...common, lastReadMessageId: message.id, readAt: activity, unreadCount: 0, auditAction: 'read' })
            : versioned(ctx).set({ ...common, auditAction: 'update' }).increment('unreadCount', 1);
        return this.db.update({ Key: ParticipantEntity.key(orgId, conversation.id, userId), ...spec.build() });
      }),
      attachments: attachments.map((a) =>
        this.db.update({
          Key: AttachmentEntity.key(orgId, a.id),
          ...versioned(ctx)
            .set({ objectKey: a.keptKey, expiresAt: a.ttl, auditAction: 'attach' })
            // The newest message naming the file in this conversation: it lives as long as that one.
            .setAt(['conversationIds', conversation.id], message.id)
            .compare('uploadedBy', '=', message.senderId)
            // Never revive a file whose TTL has already passed (DynamoDB may be deleting it).
            .where('attribute_not_exists(#ttl) OR #ttl > :nowSeconds', { '#ttl': 'expiresAt' }, { ':nowSeconds': nowSeconds })
            .build(),
        }),
      ),
    };
    try {
      return { ok: true, response: await this.idempotency.run(ctx, idem, parts, response) };
    } catch (err) {
      if (!(err instanceof TransactionCancelledError)) throw err;
      if (err.failed('conversation')) return { ok: false, reason: 'conversation_changed' };
      // Still conflicting with parallel sends after Db.transact's own retries: try again afresh.
      if (!err.conditionFailed) return { ok: false, reason: 'conversation_changed' };
      if (err.failed('attachments')) return { ok: false, reason: 'attachment_refused' };
      throw err;
    }
  }

  /**
   * How many messages of others lie in (after, upTo]: the ones a receipt up to `upTo` marks read.
   * Costs one read per newly read message (a receipt covers what the reader has just seen), never
   * the conversation's history.
   */
  async countFromOthers(orgId: string, conversationId: string, userId: string, after: string | null, upTo: string): Promise<number> {
    const items = await this.db.queryAll<Item>(
      {
        // Message ids are fixed-length ULIDs, so `MSG#<after>!` sorts right after `MSG#<after>`.
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :lo AND :hi',
        FilterExpression: 'senderId <> :me',
        ProjectionExpression: 'SK',
        ExpressionAttributeValues: {
          ':pk': ConversationEntity.partition(orgId, conversationId),
          ':lo': after ? `${MessageEntity.sk(after)}!` : MessageEntity.prefix,
          ':hi': MessageEntity.sk(upTo),
          ':me': userId,
        },
        ConsistentRead: true,
      },
      Number.MAX_SAFE_INTEGER,
    );
    return items.length;
  }
}
