/**
 * Key formats of the delivery items (docs/delivery.md), all in the user's own partition, so a
 * request can only ever build keys of the caller. Only the delivery repository imports this module.
 */
type Key = { PK: string; SK: string };

const userPk = (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}`;

export const PreferencesKeys = {
  key: (orgId: string, userId: string): Key => ({ PK: userPk(orgId, userId), SK: 'DELIVERY#PREFS' }),
};

export const DeviceKeys = {
  key: (orgId: string, userId: string, deviceId: string): Key => ({ PK: userPk(orgId, userId), SK: `DEVICE#${deviceId}` }),
  partition: userPk,
  prefix: 'DEVICE#',
};

/** One record per (notification, channel, destination): the at-most-once guard. */
export const DeliveryRecordKeys = {
  key: (orgId: string, userId: string, notificationId: string, channel: string, target: string): Key => ({
    PK: userPk(orgId, userId),
    SK: `DLV#${notificationId}#${channel}#${target}`,
  }),
};
