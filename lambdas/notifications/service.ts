import type { Notification, NotificationList } from '../../schemas/notifications.js';
import type { Caller } from '../shared/auth/caller.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError } from '../shared/errors.js';
import type { NotificationsRepository } from './repository.js';

/**
 * The inbox use cases. A user only ever reaches their own notifications: the keys are built from
 * the caller's own id, so another user's notification id is simply not found (404).
 */
export class NotificationsService {
  constructor(private readonly repo: NotificationsRepository) {}

  async list(caller: Caller, query: { unread: boolean; limit: number; cursor?: string | undefined }): Promise<NotificationList> {
    const page = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
    const [items, unreadCount] = await Promise.all([
      this.repo.list(caller.orgId, caller.userId, query.unread, page),
      this.repo.unreadCount(caller.orgId, caller.userId),
    ]);
    return { ...items, unreadCount };
  }

  /** Idempotent: marking a read notification again answers it unchanged. */
  async markRead(ctx: WriteContext, notificationId: string): Promise<Notification> {
    const note = await this.repo.markRead(ctx, notificationId);
    if (!note) throw new NotFoundError('Notification not found');
    return note;
  }
}
