import * as z from 'zod/mini';
import { Id, IsoDateTime, ListQuery } from './common.js';

/** One inbox entry (API.md, "Assisted living": `GET /me/notifications`). */
export const Notification = z.object({
  id: z.string(),
  /** The domain event that caused it (`IncidentReported`, `DoseDue`, ...). */
  type: z.string(),
  title: z.string(),
  body: z.string(),
  /** What it is about, for the client to open: the patient and the entity. */
  patientId: z.optional(z.string()),
  entityType: z.string(),
  entityId: z.string(),
  createdAt: IsoDateTime,
  /** null while unread. */
  readAt: z.nullable(IsoDateTime),
});
export type Notification = z.infer<typeof Notification>;

export const ListNotificationsQuery = z.extend(ListQuery, {
  /** `true`: only unread ones. */
  unread: z.pipe(
    z.optional(z.enum(['true', 'false'])),
    z.transform((v: 'true' | 'false' | undefined) => v === 'true'),
  ),
});
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuery>;

export const NotificationList = z.object({
  items: z.array(Notification),
  nextCursor: z.nullable(z.string()),
  unreadCount: z.number().check(z.int(), z.gte(0)),
});
export type NotificationList = z.infer<typeof NotificationList>;

export const NotificationParams = z.strictObject({ notificationId: Id });
export type NotificationParams = z.infer<typeof NotificationParams>;
