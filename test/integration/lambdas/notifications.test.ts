/**
 * The notifications function against DynamoDB Local: fan-out of bus events into inboxes (exactly
 * once per event and recipient, the unread count exact), and the inbox routes.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDetail } from '../../../lambdas/shared/events/bus-detail.js';
import { createNotificationsHandler } from '../../../lambdas/notifications/app.js';
import { createNotificationsBusHandler } from '../../../lambdas/notifications/fan-out.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamKeys, PatientKeys, UserKeys } from '../../../lambdas/shared/data/keys.js';
import type { CareEvent } from '../../../lambdas/shared/events/care-event.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import { NOTIFICATION_RULES, NOTIFICATION_TYPES } from '../../../lambdas/registry.js';
import type { NotificationList } from '../../../schemas/notifications.js';

let table: TestTable;
let db: Db;
let api: ApiHandler;
let fanOut: ReturnType<typeof createNotificationsBusHandler>;
const clock = manualClock('2025-03-01T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('notifications-it');
  db = new Db(table.client, table.tableName);
  api = createNotificationsHandler({ db, clock, logger: silentLogger(), notificationTypes: NOTIFICATION_TYPES });
  fanOut = createNotificationsBusHandler({ db, clock, logger: silentLogger(), rules: NOTIFICATION_RULES });
});

afterAll(async () => {
  await table?.drop();
});

/** An org with a patient whose care team is an aide and a family member, and two coordinators. */
async function newOrg() {
  const orgId = `org-${randomUUID()}`;
  const patientId = `pat-${randomUUID()}`;
  const ids = { aide: `aide-${randomUUID()}`, family: `fam-${randomUUID()}`, coord1: `co1-${randomUUID()}`, coord2: `co2-${randomUUID()}` };
  await db.putItem({ ...PatientKeys.key(orgId, patientId), entityType: 'Patient', id: patientId, orgId });
  for (const u of [ids.aide, ids.family]) await db.putItem({ ...CareTeamKeys.key(orgId, patientId, u), entityType: 'CareTeamMember', userId: u, orgId });
  for (const u of [ids.coord1, ids.coord2]) {
    await db.putItem({ ...UserKeys.key(orgId, u), ...UserKeys.byRole(orgId, 'coordinator', u), entityType: 'User', userId: u, orgId, role: 'coordinator' });
  }
  const caller = (userId: string, roles: TestCaller['roles']): TestCaller => ({ userId, orgId, roles });
  return { orgId, patientId, ids, caller };
}

function busEvent(care: CareEvent): EventBridgeEvent<string, unknown> {
  return {
    version: '0', id: randomUUID(), 'detail-type': care.type, source: 'carestack', account: '000000000000',
    time: care.at, region: 'us-east-1', resources: [], detail: JSON.parse(JSON.stringify(toDetail(care))),
  };
}

const incidentReported = (orgId: string, patientId: string, actorId: string): CareEvent => ({
  id: `evt-${randomUUID()}`, orgId, patientId, recipientId: null, type: 'IncidentReported', entityType: 'Incident',
  entityId: `inc-${randomUUID()}`, at: clock.now().toISOString(), data: { version: 1, changedFields: ['status'], actorId },
});

async function inbox(caller: TestCaller, query: Record<string, string> = {}) {
  const res = await api(apiEvent({ route: 'GET /me/notifications', caller, query }), lambdaContext());
  expect(res.statusCode, res.body).toBe(200);
  return bodyOf<NotificationList>(res);
}

describe('fan-out', () => {
  it('notifies the care team and coordinators but not the actor; a redelivered event creates nothing new', async () => {
    const org = await newOrg();
    const care = incidentReported(org.orgId, org.patientId, org.ids.aide);
    expect(await fanOut(busEvent(care))).toEqual({ notified: 3, repeated: 0 });
    // The same source event again (a new bus envelope, as on a retry): nothing new.
    expect(await fanOut(busEvent(care))).toEqual({ notified: 0, repeated: 3 });
    // Redelivered concurrently, many times: still nothing new.
    const again = await Promise.all(Array.from({ length: 10 }, () => fanOut(busEvent(care))));
    expect(again.every((r) => r.notified === 0)).toBe(true);

    for (const u of [org.ids.family, org.ids.coord1, org.ids.coord2]) {
      const box = await inbox(org.caller(u, u === org.ids.family ? ['family'] : ['coordinator']));
      expect(box.items).toHaveLength(1);
      expect(box.unreadCount).toBe(1);
      expect(box.items[0]).toMatchObject({ type: 'IncidentReported', patientId: org.patientId, entityType: 'Incident', entityId: care.entityId, readAt: null });
    }
    const reporter = await inbox(org.caller(org.ids.aide, ['aide']));
    expect(reporter).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
  });

  it('counts exactly when many events fan out in parallel', async () => {
    const org = await newOrg();
    const events = Array.from({ length: 20 }, () => incidentReported(org.orgId, org.patientId, org.ids.aide));
    await Promise.all([...events, ...events].map((e) => fanOut(busEvent(e))));
    const box = await inbox(org.caller(org.ids.coord1, ['coordinator']), { limit: '100' });
    expect(box.items).toHaveLength(20);
    expect(box.unreadCount).toBe(20);
  });
});

describe('inbox', () => {
  it('lists newest first, pages with a cursor, filters unread, and marks read once', async () => {
    const org = await newOrg();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.set(`2025-03-0${i + 2}T10:00:00.000Z`);
      const care = incidentReported(org.orgId, org.patientId, org.ids.aide);
      await fanOut(busEvent(care));
      ids.push(care.entityId);
    }
    const coord = org.caller(org.ids.coord1, ['coordinator']);
    const first = await inbox(coord, { limit: '2' });
    expect(first.items.map((n) => n.entityId)).toEqual([ids[2], ids[1]]);
    expect(first.unreadCount).toBe(3);
    const second = await inbox(coord, { limit: '2', cursor: first.nextCursor! });
    expect(second.items.map((n) => n.entityId)).toEqual([ids[0]]);

    const target = first.items[1]!;
    const mark = () => api(apiEvent({ route: 'POST /me/notifications/{notificationId}/read', caller: coord, pathParameters: { notificationId: target.id } }), lambdaContext());
    const marked = await mark();
    expect(marked.statusCode).toBe(200);
    expect(bodyOf(marked).readAt).toBe(clock.now().toISOString());
    // Again: a 200 no-op, the count unchanged.
    const again = await mark();
    expect(again.statusCode).toBe(200);
    expect(bodyOf(again).readAt).toBe(bodyOf(marked).readAt);
    const unread = await inbox(coord, { unread: 'true' });
    expect(unread.unreadCount).toBe(2);
    expect(unread.items.map((n) => n.entityId)).toEqual([ids[2], ids[0]]);

    // Parallel marks of another one: it is taken off the count once.
    const other = unread.items[0]!;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        api(apiEvent({ route: 'POST /me/notifications/{notificationId}/read', caller: coord, pathParameters: { notificationId: other.id } }), lambdaContext()),
      ),
    );
    expect((await inbox(coord)).unreadCount).toBe(1);
  });

  it("another user's notification is not found, and so is an unknown id", async () => {
    const org = await newOrg();
    await fanOut(busEvent(incidentReported(org.orgId, org.patientId, org.ids.aide)));
    const mine = (await inbox(org.caller(org.ids.coord1, ['coordinator']))).items[0]!;
    const res = await api(
      apiEvent({ route: 'POST /me/notifications/{notificationId}/read', caller: org.caller(org.ids.coord2, ['coordinator']), pathParameters: { notificationId: mine.id } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(404);
    expect((await inbox(org.caller(org.ids.coord1, ['coordinator']))).unreadCount).toBe(1);
  });

  it('rejects unknown query parameters', async () => {
    const org = await newOrg();
    const res = await api(apiEvent({ route: 'GET /me/notifications', caller: org.caller(org.ids.coord1, ['coordinator']), query: { unread: 'yes' } }), lambdaContext());
    expect(res.statusCode).toBe(400);
  });
});
