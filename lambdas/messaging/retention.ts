/**
 * The messaging retention consumer (docs/retention.md): a consumer of the table's stream, invoked
 * (on AWS through an event source mapping whose filter lets through only these records) for
 * - an attachment item removed by DynamoDB TTL: its file is deleted, every version of it;
 * - a change of an org's `messageRetentionDays`: every message and file of the org is re-timed;
 * - a legal hold placed or lifted: the conversation's messages and files are re-timed.
 * Re-timing sets each item's TTL to what `expiry.ts` says now, so it is idempotent: a redelivered
 * record, or two changes in a row, end in the same TTLs. The TTL deletions themselves are audited
 * by the audit function (`delete`, source `system`), like every change of the table.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { decodeTime } from 'ulid';
import type { Clock } from '../shared/clock.js';
import type { Db, Item } from '../shared/data/db.js';
import { toChangeRecord, type ChangeRecord } from '../shared/data/stream-image.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import { OrgSettingsRepository, type MessageRetentionSettings } from '../shared/people/org-settings.js';
import type { AttachmentFileDeleter } from './attachment-store.js';
import { attachmentTtl, messageTtl } from './expiry.js';
import { MessagingRepository } from './repository.js';

export interface MessagingRetentionDeps {
  db: Db;
  files: AttachmentFileDeleter;
  clock: Clock;
  logger: Logger;
}

const PAGE = { limit: 100 };

/** What the consumer does with one committed change, if anything. */
export type RetentionWork =
  | { kind: 'deleteFile'; key: string }
  | { kind: 'retimeOrg'; orgId: string }
  | { kind: 'retimeConversation'; orgId: string; conversationId: string };

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** The work a change asks for (null: none). Exported for the event source mapping's filter test. */
export function retentionWorkFor(change: ChangeRecord): RetentionWork | null {
  const image: Item | undefined = change.newImage ?? change.oldImage;
  const orgId = str(image?.orgId);
  if (!image || !orgId) return null;
  switch (image.entityType) {
    case 'Attachment': {
      const key = str(change.oldImage?.objectKey);
      return change.eventName === 'REMOVE' && change.byService && key ? { kind: 'deleteFile', key } : null;
    }
    case 'OrgSettings':
      if (change.eventName === 'REMOVE') return null;
      return (change.oldImage?.messageRetentionDays ?? null) !== (change.newImage?.messageRetentionDays ?? null) ? { kind: 'retimeOrg', orgId } : null;
    case 'Conversation':
      if (change.eventName !== 'MODIFY') return null;
      return Boolean(change.oldImage?.legalHold) !== Boolean(change.newImage?.legalHold)
        ? { kind: 'retimeConversation', orgId, conversationId: String(image.id) }
        : null;
    default:
      return null;
  }
}

/** Sets every TTL of a conversation, or of an org, to what expiry.ts says now. */
export class MessageRetiming {
  private readonly repo: MessagingRepository;
  private readonly settings: OrgSettingsRepository;

  constructor(db: Db) {
    this.repo = new MessagingRepository(db);
    this.settings = new OrgSettingsRepository(db);
  }

  async retimeOrg(ctx: WriteContext): Promise<number> {
    let changed = 0;
    let cursor: string | undefined;
    do {
      const page = await this.repo.conversations.listOrgConversations(ctx.orgId, { ...PAGE, ...(cursor ? { cursor } : {}) });
      for (const conversationId of page.items) changed += await this.retimeConversation(ctx, conversationId);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return changed;
  }

  /** Answers how many items got a new TTL. */
  async retimeConversation(ctx: WriteContext, conversationId: string): Promise<number> {
    const [org, conversation] = await Promise.all([
      this.settings.messageRetention(ctx.orgId),
      this.repo.conversations.getConversation(ctx.orgId, conversationId),
    ]);
    if (!conversation) return 0;
    let changed = 0;
    const attachmentIds = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.repo.messages.pageForRetiming(ctx.orgId, conversationId, { ...PAGE, ...(cursor ? { cursor } : {}) });
      for (const m of page.items) {
        const ttl = messageTtl(decodeTime(m.id), org, conversation);
        if (ttl !== m.expiresAt) {
          await this.repo.messages.setMessageTtl(ctx, conversationId, m.id, ttl);
          changed += 1;
        }
        for (const a of m.attachments) attachmentIds.add(a.attachmentId);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    for (const id of attachmentIds) changed += await this.retimeAttachment(ctx, org, id);
    return changed;
  }

  private async retimeAttachment(ctx: WriteContext, org: MessageRetentionSettings, attachmentId: string): Promise<number> {
    const attachment = await this.repo.attachments.getAttachment(ctx.orgId, attachmentId);
    if (!attachment) return 0;
    const ttl = attachmentTtl(await this.repo.attachmentUses(ctx.orgId, attachment), org);
    if (ttl === attachment.expiresAt) return 0;
    await this.repo.attachments.setAttachmentTtl(ctx, attachmentId, ttl);
    return 1;
  }
}

/**
 * The consumer: records in stream order; the first that fails is reported (with everything after
 * it) as the batch's item failure, so Lambda retries from there and nothing is skipped.
 */
export function createMessagingRetentionHandler(deps: MessagingRetentionDeps): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const retiming = new MessageRetiming(deps.db);
  return async (event) => {
    for (const record of event.Records) {
      const change = toChangeRecord(record);
      const work = retentionWorkFor(change);
      if (!work) continue;
      try {
        if (work.kind === 'deleteFile') {
          await deps.files.delete(work.key);
          deps.logger.info('attachment file deleted after TTL', { key: work.key });
        } else {
          const ctx: WriteContext = {
            orgId: work.orgId,
            actorId: 'system',
            actorRoles: [],
            requestId: `retention:${change.eventId}`,
            source: 'system',
            now: deps.clock.now().toISOString(),
          };
          const changed = work.kind === 'retimeOrg' ? await retiming.retimeOrg(ctx) : await retiming.retimeConversation(ctx, work.conversationId);
          deps.logger.info('message retention re-timed', { ...work, changed });
        }
      } catch (err) {
        deps.logger.error('message retention work failed', { work: work.kind, error: err instanceof Error ? err.message : String(err) });
        return { batchItemFailures: [{ itemIdentifier: change.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
