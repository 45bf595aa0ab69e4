/**
 * The notification items: each user's inbox and their counters (keys.ts). Only the notifications
 * repository imports this module.
 */
import type { Notification } from '../../schemas/notifications.js';
import { entity } from '../shared/data/entity.js';
import { NotificationKeys, UserCounterKeys } from './keys.js';

export const NotificationEntity = entity('Notification', NotificationKeys, (item): Notification => ({
  id: String(item.id),
  type: String(item.type),
  title: String(item.title),
  body: String(item.body),
  ...(typeof item.aboutPatientId === 'string' ? { patientId: item.aboutPatientId } : {}),
  entityType: String(item.aboutEntityType),
  entityId: String(item.aboutEntityId),
  createdAt: String(item.createdAt),
  readAt: typeof item.readAt === 'string' ? item.readAt : null,
}));

/** The user's counters (`unreadCount`), changed only in the transactions that change notifications. */
export const UserCountersEntity = entity('UserCounters', UserCounterKeys);
