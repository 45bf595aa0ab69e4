import type { Role } from '../../schemas/roles.js';
import type { AttachmentRef } from '../../schemas/messaging.js';
import { TransactionCancelledError, type Db, type Item, type Page, type TransactItem } from '../shared/data/db.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { newItem, versionedUpdate, type UpdateSpec, type WriteContext } from '../shared/data/write-context.js';
import { AttachmentKeys, ConversationKeys, MessageKeys, ParticipantKeys } from './keys.js';

/** The conversation's META item. */
export interface ConversationRecord {
  id: string;
  orgId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  subject?: string;
  patientId?: string;
  participantIds: string[];
  lastMessageId: string | null;
  lastActivityAt: string;
  messageCount: number;
}

/** One participant's item: their place in "my conversations", their unread count and read receipt. */
export interface ParticipantRecord {
  conversationId: string;
  userId: string;
  role: Role;
  version: number;
  subject?: string;
  patientId?: string;
  participantIds: string[];
  lastMessageId: string | null;
  lastActivityAt: string;
  unreadCount: number;
  lastReadMessageId: string | null;
  readAt: string | null;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  attachments: AttachmentRef[];
  sentAt: string;
  recipientIds: string[];
  patientId?: string;
}

export interface AttachmentRecord {
  id: string;
  orgId: string;
  uploadedBy: string;
  fileName: string;
  contentType: AttachmentRef['contentType'];
  size: number;
  /** Where the file is now: `pending/...` until a message references it, then `files/...`. */
  objectKey: string;
  /** Conversations whose messages reference it (their participants may download it). */
  conversationIds: string[];
  createdAt: string;
}

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
 * Conversations, participants, messages and attachments in the single table. The only messaging
 * code that knows keys. Access patterns (docs/data-model.md, "Messaging"):
 * - conversation: GetItem `ORG#o#CONV#c / META`; participants: Query `ORG#o#CONV#c`, `PART#`
 * - my conversations by activity: Query GSI1 `ORG#o#USER#u#CONVS`, reverse
 * - messages newest first: Query `ORG#o#CONV#c`, `MSG#`, reverse, one page
 * - attachment: GetItem `ORG#o#ATT#a / META`
 */
export class MessagingRepository {
  private readonly idempotency: Idempotency;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- conversations -----------------------------------------------------------------------

  async getConversation(orgId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const item = await this.db.get(ConversationKeys.meta(orgId, conversationId), true);
    return item ? toConversation(item) : undefined;
  }

  async getParticipant(orgId: string, conversationId: string, userId: string): Promise<ParticipantRecord | undefined> {
    // Strongly consistent: this is the access check, and it carries the read state a receipt moves.
    const item = await this.db.get(ParticipantKeys.key(orgId, conversationId, userId), true);
    return item ? toParticipant(item) : undefined;
  }

  async listParticipants(orgId: string, conversationId: string): Promise<ParticipantRecord[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': ConversationKeys.partition(orgId, conversationId), ':prefix': ParticipantKeys.prefix },
      ConsistentRead: true,
    });
    return items.map(toParticipant);
  }

  /** The conversation and every participant's item (+ idempotency record) in one transaction. */
  async createConversation(
    ctx: WriteContext,
    conversation: ConversationRecord,
    participants: ReadonlyArray<{ userId: string; role: Role }>,
    idem: IdempotencyRequest | undefined,
    response: unknown,
  ): Promise<unknown> {
    const { id, orgId: _o, version: _v, createdAt: _c, updatedAt: _u, lastMessageId: _l, ...fields } = conversation;
    const items: TransactItem[] = [
      this.db.put(newItem(ConversationKeys.meta(ctx.orgId, id), 'Conversation', { id, conversationId: id, ...fields }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      ...participants.map((p) => this.db.put(this.participantItem(ctx, conversation, p, ctx.now), { ConditionExpression: 'attribute_not_exists(PK)' })),
    ];
    return this.idempotency.run(ctx, idem, items, response);
  }

  /**
   * Adds a participant. The conversation must still be at the version read (no message and no
   * other participant in between), so the newcomer's read state starts exactly at the last message:
   * what was said before they joined is not unread for them. Answers false when the conversation
   * changed meanwhile (read it again and retry).
   */
  async addParticipant(
    ctx: WriteContext,
    conversation: ConversationRecord,
    user: { userId: string; role: Role },
    idem: IdempotencyRequest | undefined,
    response: unknown,
  ): Promise<{ ok: true; response: unknown } | { ok: false; reason: 'changed' | 'already' }> {
    const participantIds = [...conversation.participantIds, user.userId];
    const items: TransactItem[] = [
      this.db.update({
        Key: ConversationKeys.meta(ctx.orgId, conversation.id),
        ...versionedUpdate({ participantIds }, ctx, conversation.version),
      }),
      this.db.put(this.participantItem(ctx, { ...conversation, participantIds }, user, ctx.now), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      // Every participant's item carries the list, so "my conversations" needs no second read.
      ...conversation.participantIds.map((userId) =>
        this.db.update({
          Key: ParticipantKeys.key(ctx.orgId, conversation.id, userId),
          ...versionedUpdate({ participantIds, auditAction: 'update' }, ctx),
        }),
      ),
    ];
    try {
      return { ok: true, response: await this.idempotency.run(ctx, idem, items, response) };
    } catch (err) {
      if (err instanceof TransactionCancelledError) {
        if (err.failedAt(1)) return { ok: false, reason: 'already' };
        if (err.failedAt(0)) return { ok: false, reason: 'changed' };
      }
      throw err;
    }
  }

  private participantItem(ctx: WriteContext, conversation: ConversationRecord, p: { userId: string; role: Role }, joinedAt: string): Item {
    return newItem(
      {
        ...ParticipantKeys.key(ctx.orgId, conversation.id, p.userId),
        ...ParticipantKeys.byActivity(ctx.orgId, p.userId, joinedAt, conversation.id),
      },
      'ConversationParticipant',
      {
        id: `${conversation.id}:${p.userId}`,
        conversationId: conversation.id,
        userId: p.userId,
        role: p.role,
        ...(conversation.subject ? { subject: conversation.subject } : {}),
        ...(conversation.patientId ? { patientId: conversation.patientId } : {}),
        participantIds: conversation.participantIds,
        // Joining is activity: the conversation comes first in the newcomer's list.
        lastActivityAt: joinedAt,
        ...(conversation.lastMessageId ? { lastMessageId: conversation.lastMessageId, lastReadMessageId: conversation.lastMessageId } : {}),
        unreadCount: 0,
        joinedAt,
      },
      ctx,
    );
  }

  async listMyConversations(orgId: string, userId: string, page: { limit: number; cursor?: string }): Promise<Page<ParticipantRecord>> {
    const partition = ParticipantKeys.activityPartition(orgId, userId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: out.items.map(toParticipant), nextCursor: out.nextCursor };
  }

  // ---- messages ----------------------------------------------------------------------------

  async getMessage(orgId: string, conversationId: string, messageId: string): Promise<MessageRecord | undefined> {
    const item = await this.db.get(MessageKeys.key(orgId, conversationId, messageId), true);
    return item ? toMessage(item) : undefined;
  }

  async listMessages(orgId: string, conversationId: string, page: { limit: number; cursor?: string }): Promise<Page<MessageRecord>> {
    const pk = ConversationKeys.partition(orgId, conversationId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MessageKeys.prefix },
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(toMessage), nextCursor: out.nextCursor };
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
    attachments: ReadonlyArray<AttachmentRecord & { keptKey: string }>,
    idem: IdempotencyRequest | undefined,
    response: unknown,
  ): Promise<SendOutcome> {
    const { orgId } = ctx;
    const activity = message.sentAt;
    const items: TransactItem[] = [
      this.db.put(
        newItem(MessageKeys.key(orgId, conversation.id, message.id), 'Message', { ...message }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      this.db.update({
        Key: ConversationKeys.meta(orgId, conversation.id),
        ...withCondition(
          withIncrement(versionedUpdate({ lastMessageId: message.id, lastActivityAt: activity }, ctx), 'messageCount', 1),
          '(attribute_not_exists(lastMessageId) OR lastMessageId < :msgId) AND size(participantIds) = :count',
          { ':msgId': message.id, ':count': conversation.participantIds.length },
        ),
      }),
      ...conversation.participantIds.map((userId) => {
        const common = { lastMessageId: message.id, lastActivityAt: activity, ...ParticipantKeys.byActivity(orgId, userId, activity, conversation.id) };
        const spec =
          userId === message.senderId
            ? // Sending implies having read the conversation up to one's own message.
              versionedUpdate({ ...common, lastReadMessageId: message.id, readAt: activity, unreadCount: 0, auditAction: 'read' }, ctx)
            : withIncrement(versionedUpdate({ ...common, auditAction: 'update' }, ctx), 'unreadCount', 1);
        return this.db.update({ Key: ParticipantKeys.key(orgId, conversation.id, userId), ...spec });
      }),
      ...attachments.map((a) =>
        this.db.update({
          Key: AttachmentKeys.key(orgId, a.id),
          ...withCondition(
            versionedUpdate({ objectKey: a.keptKey, auditAction: 'attach' }, ctx),
            'uploadedBy = :uploader',
            { ':uploader': message.senderId },
            `, conversationIds.#conv = :linked`,
            { '#conv': conversation.id },
            { ':linked': true },
          ),
        }),
      ),
    ];
    try {
      return { ok: true, response: await this.idempotency.run(ctx, idem, items, response) };
    } catch (err) {
      if (!(err instanceof TransactionCancelledError)) throw err;
      if (err.failedAt(1)) return { ok: false, reason: 'conversation_changed' };
      // Still conflicting with parallel sends after Db.transact's own retries: try again afresh.
      if (!err.reasons.some((r) => r.code === 'ConditionalCheckFailed')) return { ok: false, reason: 'conversation_changed' };
      const firstAttachment = 2 + conversation.participantIds.length;
      if (attachments.some((_, i) => err.failedAt(firstAttachment + i))) return { ok: false, reason: 'attachment_refused' };
      throw err;
    }
  }

  // ---- read receipts -----------------------------------------------------------------------

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
          ':pk': ConversationKeys.partition(orgId, conversationId),
          ':lo': after ? `${MessageKeys.sk(after)}!` : MessageKeys.prefix,
          ':hi': MessageKeys.sk(upTo),
          ':me': userId,
        },
        ConsistentRead: true,
      },
      Number.MAX_SAFE_INTEGER,
    );
    return items.length;
  }

  /**
   * Moves a participant's read state from `previous` to `upTo` and takes `read` off their unread
   * count, on condition that nobody moved it meanwhile (a concurrent receipt, or their own send).
   * Sends in between only add to the count, atomically, so they need no condition here. The count
   * can never go below zero. Answers false when the read state moved (read it again and retry).
   */
  async markRead(ctx: WriteContext, conversationId: string, userId: string, previous: string | null, upTo: string, read: number): Promise<boolean> {
    const spec = withCondition(
      withIncrement(versionedUpdate({ lastReadMessageId: upTo, readAt: ctx.now, auditAction: 'read' }, ctx), 'unreadCount', -read),
      `${previous ? 'lastReadMessageId = :previous' : 'attribute_not_exists(lastReadMessageId)'} AND unreadCount >= :read`,
      { ...(previous ? { ':previous': previous } : {}), ':read': read },
    );
    try {
      await this.db.transact([this.db.update({ Key: ParticipantKeys.key(ctx.orgId, conversationId, userId), ...spec })]);
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) return false;
      throw err;
    }
  }

  // ---- attachments -------------------------------------------------------------------------

  async createAttachment(ctx: WriteContext, attachment: AttachmentRecord, idem: IdempotencyRequest | undefined, response: unknown): Promise<unknown> {
    const { id, orgId: _o, createdAt: _c, conversationIds: _l, ...fields } = attachment;
    const item = newItem(AttachmentKeys.key(ctx.orgId, id), 'Attachment', { id, attachmentId: id, ...fields, conversationIds: {} }, ctx);
    return this.idempotency.run(ctx, idem, [this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' })], response);
  }

  async getAttachment(orgId: string, attachmentId: string): Promise<AttachmentRecord | undefined> {
    const item = await this.db.get(AttachmentKeys.key(orgId, attachmentId), true);
    return item ? toAttachment(item) : undefined;
  }

  async getAttachments(orgId: string, attachmentIds: readonly string[]): Promise<AttachmentRecord[]> {
    const items = await this.db.batchGet<Item>(attachmentIds.map((id) => AttachmentKeys.key(orgId, id)));
    return items.map(toAttachment);
  }

  /** Of these conversations, the ones the user takes part in (one BatchGet of their participant items). */
  async conversationsWithParticipant(orgId: string, userId: string, conversationIds: readonly string[]): Promise<ParticipantRecord[]> {
    const found: Item[] = [];
    for (let i = 0; i < conversationIds.length; i += 100) {
      found.push(...(await this.db.batchGet<Item>(conversationIds.slice(i, i + 100).map((c) => ParticipantKeys.key(orgId, c, userId)))));
    }
    return found.map(toParticipant);
  }
}

/** Adds `attr = attr + delta` to a versioned update's SET clause. */
function withIncrement(spec: UpdateSpec, attr: string, delta: number): UpdateSpec {
  const name = `#inc_${attr}`;
  const value = `:inc_${attr}`;
  const [set, remove] = spec.UpdateExpression.split(' REMOVE ');
  return {
    ...spec,
    UpdateExpression: `${set}, ${name} = ${name} + ${value}${remove ? ` REMOVE ${remove}` : ''}`,
    ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, [name]: attr },
    ExpressionAttributeValues: { ...spec.ExpressionAttributeValues, [value]: delta },
  };
}

/** Adds a condition (and optionally more SET clauses) to a versioned update. */
function withCondition(
  spec: UpdateSpec,
  condition: string,
  values: Record<string, unknown>,
  extraSet = '',
  extraNames: Record<string, string> = {},
  extraValues: Record<string, unknown> = {},
): UpdateSpec {
  const [set, remove] = spec.UpdateExpression.split(' REMOVE ');
  return {
    UpdateExpression: `${set}${extraSet}${remove ? ` REMOVE ${remove}` : ''}`,
    ConditionExpression: `${spec.ConditionExpression} AND ${condition}`,
    ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, ...extraNames },
    ExpressionAttributeValues: { ...spec.ExpressionAttributeValues, ...values, ...extraValues },
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function toConversation(item: Item): ConversationRecord {
  return {
    id: String(item.id),
    orgId: String(item.orgId),
    version: Number(item.version),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    createdBy: String(item.createdBy),
    ...(str(item.subject) ? { subject: String(item.subject) } : {}),
    ...(str(item.patientId) ? { patientId: String(item.patientId) } : {}),
    participantIds: strings(item.participantIds),
    lastMessageId: str(item.lastMessageId),
    lastActivityAt: String(item.lastActivityAt),
    messageCount: Number(item.messageCount ?? 0),
  };
}

function toParticipant(item: Item): ParticipantRecord {
  return {
    conversationId: String(item.conversationId),
    userId: String(item.userId),
    role: item.role as Role,
    version: Number(item.version),
    ...(str(item.subject) ? { subject: String(item.subject) } : {}),
    ...(str(item.patientId) ? { patientId: String(item.patientId) } : {}),
    participantIds: strings(item.participantIds),
    lastMessageId: str(item.lastMessageId),
    lastActivityAt: String(item.lastActivityAt),
    unreadCount: Number(item.unreadCount ?? 0),
    lastReadMessageId: str(item.lastReadMessageId),
    readAt: str(item.readAt),
  };
}

function toMessage(item: Item): MessageRecord {
  return {
    id: String(item.id),
    conversationId: String(item.conversationId),
    senderId: String(item.senderId),
    body: String(item.body),
    attachments: Array.isArray(item.attachments) ? (item.attachments as AttachmentRef[]) : [],
    sentAt: String(item.sentAt),
    recipientIds: strings(item.recipientIds),
    ...(str(item.patientId) ? { patientId: String(item.patientId) } : {}),
  };
}

function toAttachment(item: Item): AttachmentRecord {
  const linked = item.conversationIds && typeof item.conversationIds === 'object' ? Object.keys(item.conversationIds as object) : [];
  return {
    id: String(item.id),
    orgId: String(item.orgId),
    uploadedBy: String(item.uploadedBy),
    fileName: String(item.fileName),
    contentType: item.contentType as AttachmentRecord['contentType'],
    size: Number(item.size),
    objectKey: String(item.objectKey),
    conversationIds: linked,
    createdAt: String(item.createdAt),
  };
}
