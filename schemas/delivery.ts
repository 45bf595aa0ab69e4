import * as z from 'zod/mini';
import { Id, IsoDateTime, TimeZone } from './common.js';

/**
 * Delivery off the app (API.md): a user's notification preferences and push devices. Which
 * notification types exist is the notifications domain's knowledge (its rules), so `mutedTypes`
 * is checked against them by the service, not here.
 */

/** E.164: what SNS SMS takes, no spaces or punctuation. */
export const E164 = z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 phone number, e.g. +15551234567'));

/** `HH:MM`, 24-hour local wall-clock time. */
export const WallClock = z.string().check(z.regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time HH:MM (00:00 to 23:59)'));

export const QuietHours = z
  .strictObject({
    start: WallClock.check(z.describe('Local time quiet hours begin, e.g. 22:00')),
    end: WallClock.check(z.describe('Local time they end, e.g. 07:00 (the next day when before start)')),
    timezone: TimeZone,
  })
  .check(
    z.refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] }),
    z.describe('Non-urgent messages wait until the end; urgent ones go at once'),
  );
export type QuietHours = z.infer<typeof QuietHours>;

export const ChannelChoice = z.strictObject({
  email: z.optional(z.boolean()),
  sms: z.optional(z.boolean()),
  push: z.optional(z.boolean()),
});

/** A notification type name (`DoseDue`, ...); the service checks it is one the platform sends. */
const NotificationTypeName = z.string().check(z.regex(/^[A-Z][A-Za-z]{1,63}$/, 'must be a notification type name'));

export const PutNotificationPreferencesBody = z.strictObject({
  channels: ChannelChoice.check(z.describe('Channels to deliver on; an omitted one is off')),
  phoneNumber: z.optional(E164.check(z.describe('Where SMS goes (E.164); required when channels.sms is true'))),
  quietHours: z.optional(QuietHours),
  mutedTypes: z.optional(
    z.array(NotificationTypeName).check(z.maxLength(50), z.describe('Notification types never sent off the app (still in the inbox)')),
  ),
});
export type PutNotificationPreferencesBody = z.infer<typeof PutNotificationPreferencesBody>;

export const NotificationPreferences = z.object({
  channels: z.object({ email: z.boolean(), sms: z.boolean(), push: z.boolean() }),
  phoneNumber: z.optional(z.string()),
  quietHours: z.optional(z.object({ start: z.string(), end: z.string(), timezone: z.string() })),
  mutedTypes: z.array(z.string()),
  version: z.int().check(z.minimum(0), z.describe('0 while the defaults apply (never saved)')),
  updatedAt: z.nullable(IsoDateTime),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const DevicePlatform = z.enum(['apns', 'fcm']);
export type DevicePlatform = z.infer<typeof DevicePlatform>;

export const RegisterDeviceBody = z.strictObject({
  platform: DevicePlatform,
  // APNs tokens are 64 hex characters, FCM tokens about 160 of [A-Za-z0-9:_-]; 512 leaves room.
  token: z.string().check(z.regex(/^[A-Za-z0-9:_.-]{16,512}$/, 'must be a device token (16 to 512 of A-Z a-z 0-9 : _ . -)')),
});
export type RegisterDeviceBody = z.infer<typeof RegisterDeviceBody>;

export const Device = z.object({
  id: z.string().check(z.describe('Derived from platform and token: registering the same token again answers the same device')),
  platform: DevicePlatform,
  version: z.int(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type Device = z.infer<typeof Device>;

export const DeviceParams = z.strictObject({ deviceId: Id });
