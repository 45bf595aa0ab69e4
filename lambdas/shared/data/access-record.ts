import { ulid } from 'ulid';
import type { Db } from './db.js';
import { AccessRecordEntity } from './entities.js';
import type { WriteContext } from './write-context.js';

/** Access records live a day: long enough for the stream to carry them to the audit trail. */
const TTL_SECONDS = 24 * 60 * 60;

export interface AccessEvent {
  /** Audit action: `read`, `sign_in`, ... */
  action: string;
  entityType: string;
  entityId: string;
  patientId?: string;
  /** How many records the access handed out (an export's resources): the audit row's `resource_count`. */
  count?: number;
}

/**
 * Records a read of a clinical record or a sign-in as a short-lived item. It reaches the audit trail
 * the way every change does (stream -> audit function), so there is one path into the trail and
 * a read is stored exactly once, like any change.
 */
export async function recordAccess(db: Db, ctx: WriteContext, event: AccessEvent): Promise<void> {
  const id = ulid(Date.parse(ctx.now));
  await db.putItem(
      AccessRecordEntity.newItem(
        AccessRecordEntity.key(ctx.orgId, id),
        {
          id,
          accessAction: event.action,
          accessedEntityType: event.entityType,
          accessedEntityId: event.entityId,
          ...(event.patientId ? { patientId: event.patientId } : {}),
          ...(event.count !== undefined ? { accessCount: event.count } : {}),
          expiresAt: Math.floor(Date.parse(ctx.now) / 1000) + TTL_SECONDS,
        },
        ctx,
      ),
  );
}
