/**
 * Key formats of the notification items (docs/data-model.md, "Notifications"). Only the
 * notifications repository imports this module.
 */
type Key = { PK: string; SK: string };

const userPk = (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}`;

export const NotificationKeys = {
  key: (orgId: string, userId: string, id: string): Key => ({ PK: userPk(orgId, userId), SK: `NOTE#${id}` }),
  partition: userPk,
  prefix: 'NOTE#',
  /** GSI1, sparse: present while unread, removed by the write that marks it read. */
  unread: (orgId: string, userId: string, id: string) => ({ GSI1PK: `${userPk(orgId, userId)}#UNREAD`, GSI1SK: id }),
  unreadPartition: (orgId: string, userId: string) => `${userPk(orgId, userId)}#UNREAD`,
};

/** The user's counters (`unreadCount`), changed only in the transactions that change notifications. */
export const UserCounterKeys = {
  key: (orgId: string, userId: string): Key => ({ PK: userPk(orgId, userId), SK: 'COUNTERS' }),
};
