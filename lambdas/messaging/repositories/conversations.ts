import type { Role } from '../../../schemas/roles.js';
import type { Db, Item, Page } from '../../shared/data/db.js';
import { TransactionCancelledError } from '../../shared/data/transaction-failures.js';
import type { Idempotency, IdempotencyRequest } from '../../shared/data/idempotency.js';
import { versioned, versionedUpdate } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import type { LegalHold } from '../../../schemas/messaging.js';
import { ConversationEntity, ParticipantEntity, type ConversationRecord, type ParticipantRecord } from '../entities.js';

/**
 * Conversations and their participants. Access patterns (docs/data-model.md, "Messaging"):
 * - conversation: GetItem `ORG#o#CONV#c / META`; participants: Query `ORG#o#CONV#c`, `PART#`
 * - my conversations by activity: Query GSI1 `ORG#o#USER#u#CONVS`, reverse
 * - read receipt: conditional update of the reader's `ORG#o#CONV#c / PART#u`
 */
export class ConversationRepository {
  constructor(
    private readonly db: Db,
    private readonly idempotency: Idempotency,
  ) {}

  async getConversation(orgId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const item = await this.db.get(ConversationEntity.meta(orgId, conversationId), true);
    return item ? ConversationEntity.fromItem(item) : undefined;
  }

  /** The conversations' META items (one BatchGet per 100), in no particular order. */
  async getConversations(orgId: string, conversationIds: readonly string[]): Promise<ConversationRecord[]> {
    const found: Item[] = [];
    for (let i = 0; i < conversationIds.length; i += 100) {
      found.push(...(await this.db.batchGet<Item>(conversationIds.slice(i, i + 100).map((c) => ConversationEntity.meta(orgId, c)))));
    }
    return found.map(ConversationEntity.fromItem);
  }

  /** A page of the org's conversations (GSI2 `ORG#o#CONVS`): what a retention change re-times. */
  async listOrgConversations(orgId: string, page: { limit: number; cursor?: string }): Promise<Page<string>> {
    const partition = ConversationEntity.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      { IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ProjectionExpression: 'GSI2SK' },
      page,
      { attribute: 'GSI2PK', value: partition },
    );
    return { items: out.items.map((i) => String(i.GSI2SK)), nextCursor: out.nextCursor };
  }

  /**
   * Places or lifts the hold on the conversation as read (its version), with the floor of what was
   * already gone then. Audited as `legal_hold` / `legal_hold_lifted` on the Conversation. Answers
   * false when the conversation changed meanwhile (read it again and retry).
   */
  async setLegalHold(
    ctx: WriteContext,
    conversation: ConversationRecord,
    legalHold: LegalHold | null,
    expiredThrough: string | null,
    lifted?: { reason: string; at: string; by: string },
  ): Promise<boolean> {
    const spec = versioned(ctx, conversation.version).set({
      legalHold,
      messagesExpiredThrough: expiredThrough,
      // The last lifting, with its reason, stays on the item beside the audit row.
      ...(lifted ? { legalHoldLifted: lifted } : {}),
      auditAction: legalHold ? 'legal_hold' : 'legal_hold_lifted',
    });
    try {
      await this.db.transact({ conversation: this.db.update({ Key: ConversationEntity.meta(ctx.orgId, conversation.id), ...spec.build() }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('conversation')) return false;
      throw err;
    }
  }

  async getParticipant(orgId: string, conversationId: string, userId: string): Promise<ParticipantRecord | undefined> {
    // Strongly consistent: this is the access check, and it carries the read state a receipt moves.
    const item = await this.db.get(ParticipantEntity.key(orgId, conversationId, userId), true);
    return item ? ParticipantEntity.fromItem(item) : undefined;
  }

  async listParticipants(orgId: string, conversationId: string): Promise<ParticipantRecord[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': ConversationEntity.partition(orgId, conversationId), ':prefix': ParticipantEntity.prefix },
      ConsistentRead: true,
    });
    return items.map(ParticipantEntity.fromItem);
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
    return this.idempotency.run(ctx, idem, {
      conversation: this.db.put(
        ConversationEntity.newItem({ ...ConversationEntity.meta(ctx.orgId, id), ...ConversationEntity.ofOrg(ctx.orgId, id) }, { id, conversationId: id, ...fields }, ctx),
        {
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      ),
      participants: participants.map((p) => this.db.put(this.participantItem(ctx, conversation, p, ctx.now), { ConditionExpression: 'attribute_not_exists(PK)' })),
    }, response);
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
    const parts = {
      conversation: this.db.update({
        Key: ConversationEntity.meta(ctx.orgId, conversation.id),
        ...versionedUpdate({ participantIds }, ctx, conversation.version),
      }),
      newcomer: this.db.put(this.participantItem(ctx, { ...conversation, participantIds }, user, ctx.now), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      // Every participant's item carries the list, so "my conversations" needs no second read.
      participants: conversation.participantIds.map((userId) =>
        this.db.update({
          Key: ParticipantEntity.key(ctx.orgId, conversation.id, userId),
          ...versionedUpdate({ participantIds, auditAction: 'update' }, ctx),
        }),
      ),
    };
    try {
      return { ok: true, response: await this.idempotency.run(ctx, idem, parts, response) };
    } catch (err) {
      if (err instanceof TransactionCancelledError) {
        if (err.failed('newcomer')) return { ok: false, reason: 'already' };
        if (err.failed('conversation')) return { ok: false, reason: 'changed' };
      }
      throw err;
    }
  }

  private participantItem(ctx: WriteContext, conversation: ConversationRecord, p: { userId: string; role: Role }, joinedAt: string): Item {
    return ParticipantEntity.newItem(
      {
        ...ParticipantEntity.key(ctx.orgId, conversation.id, p.userId),
        ...ParticipantEntity.byActivity(ctx.orgId, p.userId, joinedAt, conversation.id),
      },
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
    const partition = ParticipantEntity.activityPartition(orgId, userId);
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
    return { items: out.items.map(ParticipantEntity.fromItem), nextCursor: out.nextCursor };
  }

  /** Of these conversations, the ones the user takes part in (one BatchGet of their participant items). */
  async conversationsWithParticipant(orgId: string, userId: string, conversationIds: readonly string[]): Promise<ParticipantRecord[]> {
    const found: Item[] = [];
    for (let i = 0; i < conversationIds.length; i += 100) {
      found.push(...(await this.db.batchGet<Item>(conversationIds.slice(i, i + 100).map((c) => ParticipantEntity.key(orgId, c, userId)))));
    }
    return found.map(ParticipantEntity.fromItem);
  }

  /**
   * Moves a participant's read state from `previous` to `upTo` and takes `read` off their unread
   * count, on condition that nobody moved it meanwhile (a concurrent receipt, or their own send).
   * Sends in between only add to the count, atomically, so they need no condition here. The count
   * can never go below zero. Answers false when the read state moved (read it again and retry).
   */
  async markRead(ctx: WriteContext, conversationId: string, userId: string, previous: string | null, upTo: string, read: number): Promise<boolean> {
    const spec = versioned(ctx).set({ lastReadMessageId: upTo, readAt: ctx.now, auditAction: 'read' }).increment('unreadCount', -read);
    if (previous) spec.compare('lastReadMessageId', '=', previous);
    else spec.absent('lastReadMessageId');
    spec.compare('unreadCount', '>=', read);
    try {
      await this.db.transact({ participant: this.db.update({ Key: ParticipantEntity.key(ctx.orgId, conversationId, userId), ...spec.build() }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('participant')) return false;
      throw err;
    }
  }

  /**
   * A receipt for a reader whose read state lies before the retention cutoff: the counter still
   * counts messages that have expired, so it is set to `unread` (the live messages after `upTo`,
   * counted by the caller) on condition that neither the read state nor the last message moved
   * since they were read (a send in between adds to the count; read again and retry).
   */
  async markReadRecounted(
    ctx: WriteContext,
    conversationId: string,
    me: { userId: string; lastReadMessageId: string | null; lastMessageId: string | null },
    upTo: string,
    unread: number,
  ): Promise<boolean> {
    const spec = versioned(ctx).set({ lastReadMessageId: upTo, readAt: ctx.now, unreadCount: unread, auditAction: 'read' });
    if (me.lastReadMessageId) spec.compare('lastReadMessageId', '=', me.lastReadMessageId);
    else spec.absent('lastReadMessageId');
    if (me.lastMessageId) spec.compare('lastMessageId', '=', me.lastMessageId);
    else spec.absent('lastMessageId');
    try {
      await this.db.transact({ participant: this.db.update({ Key: ParticipantEntity.key(ctx.orgId, conversationId, me.userId), ...spec.build() }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('participant')) return false;
      throw err;
    }
  }
}
