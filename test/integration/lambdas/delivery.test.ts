/**
 * Delivery off the app against DynamoDB Local: the preference and device routes of the
 * notifications function, and the delivery function's records under redelivery (the real
 * conditional writes), fed by the real fan-out's inbox items.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryBusHandler, createDeliveryReleaseHandler } from '../../../lambdas/delivery/app.js';
import type { OffAppMessage } from '../../../lambdas/delivery/messages.js';
import { DeliveryRepository } from '../../../lambdas/delivery/repository.js';
import type { PushTarget, Sender } from '../../../lambdas/delivery/sender.js';
import { createNotificationsHandler } from '../../../lambdas/notifications/app.js';
import { NotificationsRepository } from '../../../lambdas/notifications/repository.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { UserKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { OneTimeSchedule, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import { NOTIFICATION_TYPES, OFF_APP } from '../../../lambdas/registry.js';

let table: TestTable;
let db: Db;
let api: ApiHandler;
const clock = manualClock('2030-01-15T15:00:00.000Z'); // 10:00 in New York

/** Records every message instead of sending it. */
class RecordingSender implements Sender {
  readonly available = { email: true, sms: true, push: { apns: true, fcm: true } };
  sent: Array<{ channel: string; to: string; notificationId: string; text: string }> = [];
  async email(to: string, m: OffAppMessage, notificationId: string) { return this.add('email', to, m, notificationId); }
  async sms(to: string, m: OffAppMessage, notificationId: string) { return this.add('sms', to, m, notificationId); }
  async push(t: PushTarget, m: OffAppMessage, notificationId: string) { return this.add('push', t.token, m, notificationId); }
  async removeEndpoint() {}
  private add(channel: string, to: string, m: OffAppMessage, notificationId: string) {
    this.sent.push({ channel, to, notificationId, text: m.text });
    return { messageId: `m-${this.sent.length}` };
  }
}

beforeAll(async () => {
  table = await createTestTable('delivery-it');
  db = new Db(table.client, table.tableName);
  api = createNotificationsHandler({ db, clock, logger: silentLogger(), notificationTypes: NOTIFICATION_TYPES });
});
afterAll(async () => table?.drop());

const call = (route: string, caller: TestCaller, extra: { body?: unknown; pathParameters?: Record<string, string> } = {}) =>
  api(apiEvent({ route, caller, ...extra }), lambdaContext());

async function newUser() {
  const orgId = `org-${randomUUID()}`;
  const userId = `u-${randomUUID()}`;
  await db.putItem({ ...UserKeys.key(orgId, userId), entityType: 'User', userId, orgId, email: `${userId}@example.org` });
  return { orgId, userId, caller: { orgId, userId, roles: ['family'] } as TestCaller };
}

describe('preferences and devices', () => {
  it('defaults until saved; PUT replaces; each user sees only their own', async () => {
    const a = await newUser();
    const b = { ...a, caller: { ...a.caller, userId: `u-${randomUUID()}` } };
    expect(bodyOf(await call('GET /me/notification-preferences', a.caller))).toEqual({ channels: { email: false, sms: false, push: true }, mutedTypes: [], version: 0, updatedAt: null });
    const body = { channels: { email: true, sms: true }, phoneNumber: '+15551230000', quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' }, mutedTypes: ['DoseDue'] };
    const put = await call('PUT /me/notification-preferences', a.caller, { body });
    expect(put.statusCode).toBe(200);
    expect(bodyOf(put)).toMatchObject({ ...body, channels: { email: true, sms: true, push: false }, version: 1 });
    expect(bodyOf(await call('PUT /me/notification-preferences', a.caller, { body: { channels: { push: true } } }))).toMatchObject({ channels: { push: true, email: false }, mutedTypes: [], version: 2 });
    expect(bodyOf(await call('GET /me/notification-preferences', b.caller)).version).toBe(0);
  });

  it('400 with details for each bad field', async () => {
    const { caller } = await newUser();
    const res = await call('PUT /me/notification-preferences', caller, {
      body: { channels: { sms: true }, phoneNumber: '555-1234', quietHours: { start: '7pm', end: '07:00', timezone: 'Mars/Olympus' } },
    });
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.phoneNumber', 'body.quietHours.start', 'body.quietHours.timezone']);
    const unknown = await call('PUT /me/notification-preferences', caller, { body: { channels: { sms: true }, mutedTypes: ['DoseDue', 'CoffeeBrewed'] } });
    expect(unknown.statusCode).toBe(400);
    expect(bodyOf(unknown).error.details).toEqual([
      { path: 'body.mutedTypes.1', message: 'unknown notification type CoffeeBrewed' },
      { path: 'body.phoneNumber', message: 'required when channels.sms is true' },
    ]);
    const token = await call('POST /me/devices', caller, { body: { platform: 'apns', token: 'f'.repeat(5000) } });
    expect(token.statusCode).toBe(400);
    expect(bodyOf(token).error.details.map((d: { path: string }) => d.path)).toEqual(['body.token']);
    expect((await call('POST /me/devices', caller, { body: { platform: 'webpush', token: 'f'.repeat(64) } })).statusCode).toBe(400);
  });

  it('registers a device once per token, and only its owner removes it', async () => {
    const a = await newUser();
    const first = await call('POST /me/devices', a.caller, { body: { platform: 'apns', token: 'a'.repeat(64) } });
    expect(first.statusCode).toBe(201);
    const again = await call('POST /me/devices', a.caller, { body: { platform: 'apns', token: 'a'.repeat(64) } });
    expect(bodyOf(again).id).toBe(bodyOf(first).id);
    expect(bodyOf(first)).not.toHaveProperty('token');
    const other = { ...a.caller, userId: `u-${randomUUID()}` };
    expect((await call('DELETE /me/devices/{deviceId}', other, { pathParameters: { deviceId: bodyOf(first).id } })).statusCode).toBe(404);
    expect((await call('DELETE /me/devices/{deviceId}', a.caller, { pathParameters: { deviceId: bodyOf(first).id } })).statusCode).toBe(204);
    expect((await call('DELETE /me/devices/{deviceId}', a.caller, { pathParameters: { deviceId: bodyOf(first).id } })).statusCode).toBe(404);
    expect(await new DeliveryRepository(db).devices(a.orgId, a.userId)).toEqual([]);
  });
});

describe('delivery records on DynamoDB Local', () => {
  async function arrange(type: string, prefs: object) {
    const u = await newUser();
    await call('PUT /me/notification-preferences', u.caller, { body: prefs });
    await call('POST /me/devices', u.caller, { body: { platform: 'fcm', token: `fcm:${randomUUID()}` } });
    const notificationId = `01J${randomUUID().replace(/-/g, '').slice(0, 23).toUpperCase()}`;
    await new NotificationsRepository(db).create(
      { orgId: u.orgId, actorId: 'system', actorRoles: [], requestId: 'evt', source: 'system', now: clock.now().toISOString() },
      { id: notificationId, userId: u.userId, type, title: 'Missed dose of Metformin', body: 'Margaret missed it', entityType: 'Dose', entityId: 'd1', sourceEventId: 'evt' },
    );
    const sender = new RecordingSender();
    const holds: OneTimeSchedule[] = [];
    const scheduler: Scheduler = { putOneTime: async (s) => void holds.push(s), putRecurring: async () => {}, delete: async () => {} };
    const deps = { db, sender, scheduler, clock, logger: silentLogger(), appUrl: 'https://app.example', offApp: OFF_APP };
    const event = (id: string): EventBridgeEvent<string, unknown> => ({
      version: '0', id, 'detail-type': 'NotificationCreated', source: 'carestack', account: '0', time: '', region: 'us-east-1', resources: [],
      detail: { id: `stream-${notificationId}`, orgId: u.orgId, recipientId: u.userId, patientId: null, type: 'NotificationCreated', entityType: 'Notification', entityId: notificationId, at: clock.now().toISOString(), data: '{}' },
    });
    return { u, notificationId, sender, holds, bus: createDeliveryBusHandler(deps), release: createDeliveryReleaseHandler(deps), event };
  }

  it('redelivered NotificationCreated (8 copies, 4 at once): one message per channel, records sent', async () => {
    const t = await arrange('DoseMissed', { channels: { email: true, sms: true, push: true }, phoneNumber: '+15551230000' });
    await t.bus(t.event('bus-1'));
    await Promise.all([2, 3, 4, 5].map((i) => t.bus(t.event(`bus-${i}`))));
    for (const i of [6, 7, 8]) await t.bus(t.event(`bus-${i}`));
    const perChannel = Object.fromEntries(['email', 'sms', 'push'].map((c) => [c, t.sender.sent.filter((s) => s.channel === c).length]));
    console.log(`[figures] messages per notification under 8 redeliveries: ${JSON.stringify(perChannel)}`);
    expect(perChannel).toEqual({ email: 1, sms: 1, push: 1 });
    expect(t.sender.sent.map((s) => s.text).join(' ')).not.toMatch(/Metformin|Margaret/);
    const repo = new DeliveryRepository(db);
    const devices = await repo.devices(t.u.orgId, t.u.userId);
    for (const [channel, target] of [['email', 'email'], ['sms', 'sms'], ['push', devices[0]!.id]] as const) {
      expect(await repo.record(t.u.orgId, { userId: t.u.userId, notificationId: t.notificationId, channel, target })).toMatchObject({
        entityType: 'DeliveryRecord', status: 'sent', attempts: 1, updatedBy: 'system', expiresAt: expect.any(Number),
      });
    }
  });

  it('a failed record is claimed again once; a sent or sending one never', async () => {
    const u = await newUser();
    const repo = new DeliveryRepository(db);
    const ctx = { orgId: u.orgId, actorId: 'system', actorRoles: [], requestId: 'r', source: 'system' as const, now: clock.now().toISOString() };
    const ref = { userId: u.userId, notificationId: 'n1', channel: 'sms' as const, target: 'sms' };
    const claims = await Promise.all([1, 2, 3, 4].map(() => repo.claim(ctx, ref)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repo.claim(ctx, ref)).toBe(false); // `sending`: may have been sent
    await repo.settle(ctx, ref, { status: 'failed', reason: 'ThrottledException', permanent: false });
    const retries = await Promise.all([1, 2, 3].map(() => repo.claim(ctx, ref)));
    expect(retries.filter(Boolean)).toHaveLength(1);
    expect(await repo.record(u.orgId, ref)).toMatchObject({ status: 'sending', attempts: 2 });
    await repo.settle(ctx, ref, { status: 'failed', reason: 'InvalidParameterException', permanent: true });
    expect(await repo.claim(ctx, ref)).toBe(false);
  });

  it('held through quiet hours: one schedule, then the release sends once', async () => {
    clock.set('2030-01-16T04:30:00.000Z'); // 23:30 in New York
    const t = await arrange('IncidentUpdated', { channels: { email: true }, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' } });
    await t.bus(t.event('bus-1'));
    await t.bus(t.event('bus-2'));
    expect(t.sender.sent).toEqual([]);
    expect(new Set(t.holds.map((h) => `${h.name}@${h.at}`))).toEqual(new Set([`dlv-${t.notificationId}@2030-01-16T12:00:00.000Z`]));
    clock.set('2030-01-16T12:00:00.000Z');
    const fire = { ...t.holds[0]!.payload, scheduleName: t.holds[0]!.name, scheduledTime: '2030-01-16T12:00:00Z' };
    await t.release(fire);
    await t.release(fire);
    expect(t.sender.sent.map((s) => s.channel)).toEqual(['email']);
  });
});
