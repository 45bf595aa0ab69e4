import type { Db, Item } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { UserKeys } from '../shared/data/keys.js';
import { versioned, versionedUpdate } from '../shared/data/update-builder.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { VersionConflictError } from '../shared/errors.js';
import { EmailRequestEntity, EmailRequestKeys, toEmailRequest, type EmailRequest } from '../shared/outbox/email-request.js';
import { DeliveryRecordKeys, DeviceKeys, PreferencesKeys } from './keys.js';

export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];

export interface StoredPreferences {
  channels: Record<Channel, boolean>;
  phoneNumber?: string;
  quietHours?: { start: string; end: string; timezone: string };
  mutedTypes: string[];
  version: number;
  updatedAt: string | null;
}

export interface StoredDevice {
  id: string;
  platform: 'apns' | 'fcm';
  token: string;
  /** The SNS platform endpoint, created by the delivery function on the first push. */
  endpointArn?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What one delivery record guards: one notification on one channel to one destination. */
export interface DeliveryRef {
  userId: string;
  notificationId: string;
  channel: Channel;
  /** `email`, `sms`, or the device id for push. */
  target: string;
}

/** A failed send is tried again (by the next redelivery or retry) at most this many times in all. */
export const MAX_ATTEMPTS = 5;
/** Records outlive every redelivery window (EventBridge 24 h, the rule's 6 h, held messages < 1 day). */
const RECORD_TTL_SECONDS = 30 * 86_400;

/**
 * Preferences, devices and delivery records in the single table; the only delivery code that knows
 * keys. Access patterns (docs/delivery.md):
 * - preferences: GetItem `ORG#o#USER#u / DELIVERY#PREFS`
 * - devices: Query `ORG#o#USER#u`, `begins_with(SK, DEVICE#)`
 * - the user's email: GetItem `ORG#o#USER#u / PROFILE`
 * - delivery record: conditional Put / Update of `ORG#o#USER#u / DLV#<notificationId>#<channel>#<target>`
 */
export class DeliveryRepository {
  constructor(private readonly db: Db) {}

  async preferences(orgId: string, userId: string): Promise<StoredPreferences | undefined> {
    const item = await this.db.get(PreferencesKeys.key(orgId, userId), true);
    return item ? toPreferences(item) : undefined;
  }

  /**
   * Replaces the caller's preferences (PUT): version + 1 on condition that nobody changed them since
   * they were read; a concurrent PUT is read again and retried, so the last writer wins cleanly.
   */
  async savePreferences(ctx: WriteContext, prefs: Omit<StoredPreferences, 'version' | 'updatedAt'>): Promise<StoredPreferences> {
    const key = PreferencesKeys.key(ctx.orgId, ctx.actorId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const existing = await this.db.get(key, true);
      const item: Item = {
        ...newItem(key, 'NotificationPreferences', { id: ctx.actorId, userId: ctx.actorId, ...prefs }, ctx),
        version: existing ? Number(existing.version) + 1 : 1,
        createdAt: existing?.createdAt ?? ctx.now,
      };
      try {
        await this.db.transact({
          preferences: this.db.put(item, existing
            ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': existing.version } }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
        });
        return toPreferences(item);
      } catch (err) {
        if (!(err instanceof TransactionCancelledError && err.failed('preferences'))) throw err;
      }
    }
    throw new VersionConflictError('The preferences changed while being saved; try again');
  }

  async devices(orgId: string, userId: string): Promise<StoredDevice[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': DeviceKeys.partition(orgId, userId), ':prefix': DeviceKeys.prefix },
      ConsistentRead: true,
    });
    return items.filter((i) => i.deleting !== true).map(toDevice);
  }

  /** Registers a device once: the id is derived from the token, so registering it again answers the first. */
  async addDevice(ctx: WriteContext, device: Pick<StoredDevice, 'id' | 'platform' | 'token'>): Promise<StoredDevice> {
    const key = DeviceKeys.key(ctx.orgId, ctx.actorId, device.id);
    const item = newItem(key, 'Device', { ...device, userId: ctx.actorId }, ctx);
    try {
      await this.db.transact({ device: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK) OR deleting = :t', ExpressionAttributeValues: { ':t': true } }) });
      return toDevice(item);
    } catch (err) {
      if (!(err instanceof TransactionCancelledError && err.failed('device'))) throw err;
      return toDevice((await this.db.get(key, true))!);
    }
  }

  /**
   * Removes a device: stamped with the remover (and `deleting`) first, then deleted, so the stream's
   * REMOVE record names who removed it. Answers false when there was no such device.
   */
  async removeDevice(ctx: WriteContext, userId: string, deviceId: string): Promise<boolean> {
    const key = DeviceKeys.key(ctx.orgId, userId, deviceId);
    try {
      await this.db.transact({ device: this.db.update({ Key: key, ...versionedUpdate({ deleting: true }, ctx) }) });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('device')) return false;
      throw err;
    }
    await this.db.transact({ device: this.db.delete({ Key: key }) });
    return true;
  }

  async setEndpoint(ctx: WriteContext, userId: string, deviceId: string, endpointArn: string): Promise<void> {
    const spec = versionedUpdate({ endpointArn }, ctx);
    try {
      await this.db.transact({ device: this.db.update({ Key: DeviceKeys.key(ctx.orgId, userId, deviceId), ...spec }) });
    } catch (err) {
      // Removed meanwhile: the endpoint is simply not remembered.
      if (!(err instanceof TransactionCancelledError && err.failed('device'))) throw err;
    }
  }

  async userEmail(orgId: string, userId: string): Promise<string | undefined> {
    const item = await this.db.get(UserKeys.key(orgId, userId));
    return typeof item?.email === 'string' && item.email ? item.email : undefined;
  }

  /**
   * Claims one send: creates the record as `sending` on condition that none exists, or moves a
   * `failed` (not permanent, attempts left) one back to `sending`. Answers false when the send is
   * not this caller's to make: it was sent, is being sent, or may have been sent (`sending` left by
   * a crash is never resent: at most once wins over at least once).
   */
  async claim(ctx: WriteContext, ref: DeliveryRef): Promise<boolean> {
    const key = DeliveryRecordKeys.key(ctx.orgId, ref.userId, ref.notificationId, ref.channel, ref.target);
    return this.claimAt(ctx, key, {
      id: `${ref.notificationId}#${ref.channel}#${ref.target}`,
      userId: ref.userId,
      notificationId: ref.notificationId,
      channel: ref.channel,
      target: ref.target,
    });
  }

  /** A direct email's request (lambdas/shared/outbox/email-request.ts), read consistently. */
  async emailRequest(orgId: string, requestId: string): Promise<EmailRequest | undefined> {
    const item = await this.db.get(EmailRequestEntity.key(orgId, requestId), true);
    return item ? toEmailRequest(item) : undefined;
  }

  /** Claims the one send of a direct email: as `claim`, on the request's own record. */
  async claimEmail(ctx: WriteContext, requestId: string): Promise<boolean> {
    return this.claimAt(ctx, EmailRequestKeys.record(ctx.orgId, requestId), { id: `${requestId}#email`, requestId, channel: 'email', target: 'email' });
  }

  async settleEmail(ctx: WriteContext, requestId: string, outcome: { status: 'sent'; messageId: string } | { status: 'failed'; reason: string; permanent: boolean }): Promise<void> {
    await this.settleAt(ctx, EmailRequestKeys.record(ctx.orgId, requestId), outcome);
  }

  /** Removes a sent request (its text, an invitation code, is no longer kept): stamped, then deleted. */
  async removeEmailRequest(ctx: WriteContext, requestId: string): Promise<void> {
    const key = EmailRequestEntity.key(ctx.orgId, requestId);
    try {
      await this.db.transact({ request: this.db.update({ Key: key, ...versionedUpdate({ deleting: true }, ctx) }) });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('request')) return;
      throw err;
    }
    await this.db.transact({ request: this.db.delete({ Key: key }) });
  }

  private async claimAt(ctx: WriteContext, key: { PK: string; SK: string }, fields: Item): Promise<boolean> {
    const item = newItem(key, 'DeliveryRecord', {
      ...fields,
      status: 'sending',
      attempts: 1,
      expiresAt: Math.floor(Date.parse(ctx.now) / 1000) + RECORD_TTL_SECONDS,
    }, ctx);
    try {
      await this.db.transact({ record: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) });
      return true;
    } catch (err) {
      if (!(err instanceof TransactionCancelledError && err.failed('record'))) throw err;
    }
    const retry = versioned(ctx)
      .set({ status: 'sending' })
      .increment('attempts', 1)
      .compare('status', '=', 'failed')
      .compare('attempts', '<', MAX_ATTEMPTS)
      .compare('permanent', '=', false)
      .build();
    try {
      await this.db.transact({ record: this.db.update({ Key: key, ...retry }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('record')) return false;
      throw err;
    }
  }

  /** `sending` -> `sent` (with the provider's message id) or `failed` (permanent: never tried again). */
  async settle(ctx: WriteContext, ref: DeliveryRef, outcome: { status: 'sent'; messageId: string } | { status: 'failed'; reason: string; permanent: boolean }): Promise<void> {
    await this.settleAt(ctx, DeliveryRecordKeys.key(ctx.orgId, ref.userId, ref.notificationId, ref.channel, ref.target), outcome);
  }

  private async settleAt(ctx: WriteContext, key: { PK: string; SK: string }, outcome: { status: 'sent'; messageId: string } | { status: 'failed'; reason: string; permanent: boolean }): Promise<void> {
    const fields = outcome.status === 'sent'
      ? { status: 'sent', sentAt: ctx.now, providerMessageId: outcome.messageId }
      : { status: 'failed', failedAt: ctx.now, reason: outcome.reason, permanent: outcome.permanent };
    const spec = versioned(ctx).set(fields).compare('status', '=', 'sending').build();
    await this.db.transact({ record: this.db.update({ Key: key, ...spec }) });
  }

  /** A direct email's record as stored (tests and operators). */
  async emailRecord(orgId: string, requestId: string): Promise<Item | undefined> {
    return this.db.get(EmailRequestKeys.record(orgId, requestId), true);
  }

  /** The record as stored (tests and operators). */
  async record(orgId: string, ref: DeliveryRef): Promise<Item | undefined> {
    return this.db.get(DeliveryRecordKeys.key(orgId, ref.userId, ref.notificationId, ref.channel, ref.target), true);
  }
}

function toPreferences(item: Item): StoredPreferences {
  const channels = (item.channels ?? {}) as Partial<Record<Channel, boolean>>;
  return {
    channels: { email: channels.email === true, sms: channels.sms === true, push: channels.push === true },
    ...(typeof item.phoneNumber === 'string' ? { phoneNumber: item.phoneNumber } : {}),
    ...(item.quietHours ? { quietHours: item.quietHours as StoredPreferences['quietHours'] & object } : {}),
    mutedTypes: Array.isArray(item.mutedTypes) ? item.mutedTypes.map(String) : [],
    version: Number(item.version),
    updatedAt: String(item.updatedAt),
  };
}

function toDevice(item: Item): StoredDevice {
  return {
    id: String(item.id),
    platform: item.platform === 'fcm' ? 'fcm' : 'apns',
    token: String(item.token),
    ...(typeof item.endpointArn === 'string' ? { endpointArn: item.endpointArn } : {}),
    version: Number(item.version),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}
