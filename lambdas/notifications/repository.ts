import type { Notification } from '../../schemas/notifications.js';
import type { Db, Item, Page } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { CareTeamMemberEntity, PatientEntity, UserEntity } from '../shared/data/entities.js';
import { update, versioned } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotificationEntity, UserCountersEntity } from './entities.js';
import type { RecipientDirectory } from './rules.js';

export interface NewNotification {
  id: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  patientId?: string;
  entityType: string;
  entityId: string;
  sourceEventId: string;
}

/**
 * Notifications and the user counters in the single table; the only notifications code that knows
 * keys. Access patterns (docs/data-model.md, "Notifications"):
 * - inbox, newest first: Query `ORG#o#USER#u`, `begins_with(SK, NOTE#)`, reverse
 * - unread only: Query GSI1 `ORG#o#USER#u#UNREAD`, reverse (sparse: only unread items carry it)
 * - unread count: GetItem `ORG#o#USER#u / COUNTERS`
 * - recipients: care team Query `ORG#o#PAT#p`, `MEMBER#`; coordinators Query GSI1 `ORG#o#USERS`,
 *   `ROLE#coordinator#`; the patient's login GetItem `ORG#o#PAT#p / PROFILE` (`userId`)
 */
export class NotificationsRepository implements RecipientDirectory {
  constructor(private readonly db: Db) {}

  // ---- recipients --------------------------------------------------------------------------

  async careTeam(orgId: string, patientId: string): Promise<string[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PatientEntity.partition(orgId, patientId), ':prefix': CareTeamMemberEntity.prefix },
    });
    return items.filter((i) => i.deleting !== true && typeof i.userId === 'string').map((i) => String(i.userId));
  }

  async careTeamAs(orgId: string, patientId: string, relationship: 'family' | 'clinician'): Promise<string[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PatientEntity.partition(orgId, patientId), ':prefix': CareTeamMemberEntity.prefix },
    });
    return items.filter((i) => i.deleting !== true && i.relationship === relationship && typeof i.userId === 'string').map((i) => String(i.userId));
  }

  async admins(orgId: string): Promise<string[]> {
    return this.usersWithRole(orgId, 'admin');
  }

  async coordinators(orgId: string): Promise<string[]> {
    return this.usersWithRole(orgId, 'coordinator');
  }

  private async usersWithRole(orgId: string, role: string): Promise<string[]> {
    const items = await this.db.queryAll<Item>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
      ExpressionAttributeValues: { ':pk': UserEntity.orgPartition(orgId), ':prefix': UserEntity.rolePrefix(role) },
    });
    return items.filter((i) => typeof i.userId === 'string').map((i) => String(i.userId));
  }

  async patientLogin(orgId: string, patientId: string): Promise<string | undefined> {
    const item = await this.db.get(PatientEntity.key(orgId, patientId));
    return typeof item?.userId === 'string' ? item.userId : undefined;
  }

  // ---- inbox -------------------------------------------------------------------------------

  /**
   * Creates the notification and adds 1 to the recipient's unread count, in one transaction, on
   * condition that no notification with this id exists: a redelivered event changes nothing.
   * Answers false when it existed already.
   */
  async create(ctx: WriteContext, n: NewNotification): Promise<boolean> {
    const { userId, patientId, entityType, entityId, ...fields } = n;
    const note = NotificationEntity.newItem(
      { ...NotificationEntity.key(ctx.orgId, userId, n.id), ...NotificationEntity.unread(ctx.orgId, userId, n.id) },
      // Stored as `aboutPatientId`, not `patientId`: a notification is addressed to one user, and
      // an item with `patientId` would also reach that patient's `onPatientEvent` subscribers.
      // The entity it is about is `about*`: `entityType` and `id` are the notification's own.
      { ...fields, userId, aboutEntityType: entityType, aboutEntityId: entityId, ...(patientId ? { aboutPatientId: patientId } : {}) },
      ctx,
    );
    try {
      await this.db.transact({
        notification: this.db.put(note, { ConditionExpression: 'attribute_not_exists(PK)' }),
        counters: this.db.update(this.counterAdd(ctx, userId, 1)),
      });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('notification')) return false;
      throw err;
    }
  }

  async list(orgId: string, userId: string, unreadOnly: boolean, page: { limit: number; cursor?: string }): Promise<Page<Notification>> {
    const out = unreadOnly
      ? await this.db.queryPage<Item>(
          {
            IndexName: 'GSI1',
            KeyConditionExpression: 'GSI1PK = :pk',
            ExpressionAttributeValues: { ':pk': NotificationEntity.unreadPartition(orgId, userId) },
            ScanIndexForward: false,
          },
          page,
          { attribute: 'GSI1PK', value: NotificationEntity.unreadPartition(orgId, userId) },
        )
      : await this.db.queryPage<Item>(
          {
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
            ExpressionAttributeValues: { ':pk': NotificationEntity.partition(orgId, userId), ':prefix': NotificationEntity.prefix },
            ScanIndexForward: false,
          },
          page,
          { attribute: 'PK', value: NotificationEntity.partition(orgId, userId) },
        );
    return { items: out.items.map(NotificationEntity.fromItem), nextCursor: out.nextCursor };
  }

  async unreadCount(orgId: string, userId: string): Promise<number> {
    const item = await this.db.get(UserCountersEntity.key(orgId, userId), true);
    return typeof item?.unreadCount === 'number' ? Math.max(0, item.unreadCount) : 0;
  }

  async get(orgId: string, userId: string, id: string): Promise<Notification | undefined> {
    const item = await this.db.get(NotificationEntity.key(orgId, userId, id), true);
    return item ? NotificationEntity.fromItem(item) : undefined;
  }

  /**
   * Marks the caller's notification read: sets `readAt`, removes the unread index keys and takes 1
   * off the unread count, in one transaction, on condition that it is not read yet. Answers the
   * notification; marking again changes nothing (undefined when there is no such notification).
   */
  async markRead(ctx: WriteContext, id: string): Promise<Notification | undefined> {
    const key = NotificationEntity.key(ctx.orgId, ctx.actorId, id);
    const spec = versioned(ctx).set({ readAt: ctx.now, GSI1PK: null, GSI1SK: null, auditAction: 'mark_read' }).absent('readAt').build();
    try {
      await this.db.transact({
        notification: this.db.update({ Key: key, ...spec }),
        counters: this.db.update(this.counterAdd(ctx, ctx.actorId, -1)),
      });
    } catch (err) {
      if (!(err instanceof TransactionCancelledError && err.failed('notification'))) throw err;
    }
    return this.get(ctx.orgId, ctx.actorId, id);
  }

  /** ADD to the counter item (created by the first ADD), stamped like any write. */
  private counterAdd(ctx: WriteContext, userId: string, delta: number) {
    return {
      Key: UserCountersEntity.key(ctx.orgId, userId),
      ...update()
        .stamp(ctx)
        .set({ entityType: UserCountersEntity.entityType, orgId: ctx.orgId, userId, id: userId })
        .setIfNotExists({ createdAt: ctx.now })
        .add({ unreadCount: delta })
        .build(),
    };
  }
}
