import { TransactionCancelledError, type Db, type Item } from '../../shared/data/db.js';
import { versioned } from '../../shared/data/update-builder.js';
import type { Idempotency, IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { AttachmentEntity, type AttachmentRecord } from '../entities.js';

/**
 * Attachments' items: GetItem `ORG#o#ATT#a / META`. A send links them to its conversation
 * (messages.ts), in the send's transaction.
 */
export class AttachmentRepository {
  constructor(
    private readonly db: Db,
    private readonly idempotency: Idempotency,
  ) {}

  async createAttachment(ctx: WriteContext, attachment: AttachmentRecord, idem: IdempotencyRequest | undefined, response: unknown): Promise<unknown> {
    const { id, orgId: _o, createdAt: _c, conversationIds: _l, latestMessageIds: _m, ...fields } = attachment;
    const item = AttachmentEntity.newItem(AttachmentEntity.key(ctx.orgId, id), { id, attachmentId: id, ...fields, conversationIds: {} }, ctx);
    return this.idempotency.run(ctx, idem, { attachment: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) }, response);
  }

  async getAttachment(orgId: string, attachmentId: string): Promise<AttachmentRecord | undefined> {
    const item = await this.db.get(AttachmentEntity.key(orgId, attachmentId), true);
    return item ? AttachmentEntity.fromItem(item) : undefined;
  }

  async getAttachments(orgId: string, attachmentIds: readonly string[]): Promise<AttachmentRecord[]> {
    const items = await this.db.batchGet<Item>(attachmentIds.map((id) => AttachmentEntity.key(orgId, id)));
    return items.map(AttachmentEntity.fromItem);
  }

  /** Sets (or, undefined, removes) an attachment's TTL; nothing if the item is gone meanwhile. */
  async setAttachmentTtl(ctx: WriteContext, attachmentId: string, ttl: number | undefined): Promise<void> {
    try {
      await this.db.transact({
        attachment: this.db.update({ Key: AttachmentEntity.key(ctx.orgId, attachmentId), ...versioned(ctx).set({ expiresAt: ttl, auditAction: 'retention' }).build() }),
      });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('attachment')) return;
      throw err;
    }
  }
}
