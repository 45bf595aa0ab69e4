/**
 * The assisted-living function against DynamoDB Local: incidents and the resident dashboard, the
 * dashboard's counters under concurrency, access by role and relationship, validation that writes
 * nothing. Each test works in an org of its own.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistedLivingHandler } from '../../../lambdas/assisted-living/app.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamKeys, PatientKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type EventSpec, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { Json } from '../../support/json.js';

let table: TestTable;
let db: Db;
let doc: DynamoDBDocumentClient;
let handler: ApiHandler;
const clock = manualClock('2025-03-01T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('assisted-living-it');
  db = new Db(table.client, table.tableName);
  doc = DynamoDBDocumentClient.from(table.client);
  handler = createAssistedLivingHandler({ db, clock, logger: silentLogger() });
});

afterAll(async () => {
  await table?.drop();
});

interface Res<T = Json> {
  status: number;
  body: T;
}

async function call<T = Json>(caller: TestCaller, route: string, opts: Omit<EventSpec, 'route' | 'caller'> = {}): Promise<Res<T>> {
  const res = await handler(apiEvent({ route, caller, ...opts }), lambdaContext());
  return { status: res.statusCode, body: bodyOf<T>(res) };
}

/** An org with two patients; patient A's care team is an aide, a clinician and a family member. */
async function newOrg() {
  const orgId = `org-${randomUUID()}`;
  const a = `pat-${randomUUID()}`;
  const b = `pat-${randomUUID()}`;
  for (const p of [a, b]) await db.putItem({ ...PatientKeys.key(orgId, p), entityType: 'Patient', id: p, orgId });
  const who = (role: TestCaller['roles'][number], extra: Partial<TestCaller> = {}): TestCaller => ({ userId: `${role}-${randomUUID()}`, orgId, roles: [role], ...extra });
  const users = {
    admin: who('admin'),
    coordinator: who('coordinator'),
    aide: who('aide'),
    aide2: who('aide'),
    clinician: who('clinician'),
    family: who('family'),
    strangerAide: who('aide'),
    compliance: who('compliance'),
    patient: who('patient', { patientId: a }),
  };
  for (const u of [users.aide, users.aide2, users.clinician, users.family]) {
    await db.putItem({ ...CareTeamKeys.key(orgId, a, u.userId), entityType: 'CareTeamMember', userId: u.userId, orgId, patientId: a });
  }
  return { orgId, a, b, ...users };
}

const fall = (over: Record<string, unknown> = {}) => ({
  category: 'fall',
  severity: 'moderate',
  details: 'Found on the bathroom floor, conscious.',
  occurredAt: '2025-03-01T09:30:00.000Z',
  ...over,
});

const report = (caller: TestCaller, patientId: string, body: unknown, headers?: Record<string, string>) =>
  call(caller, 'POST /patients/{patientId}/incidents', { pathParameters: { patientId }, body, ...(headers ? { headers } : {}) });
const patch = (caller: TestCaller, patientId: string, incidentId: string, body: unknown) =>
  call(caller, 'PATCH /patients/{patientId}/incidents/{incidentId}', { pathParameters: { patientId, incidentId }, body });
const dashboard = (caller: TestCaller, patientId: string) => call(caller, 'GET /patients/{patientId}/dashboard', { pathParameters: { patientId } });
const list = (caller: TestCaller, patientId: string, query?: Record<string, string>) =>
  call(caller, 'GET /patients/{patientId}/incidents', { pathParameters: { patientId }, ...(query ? { query } : {}) });

async function itemsUnder(pk: string, prefix: string) {
  const out = await doc.send(new QueryCommand({
    TableName: table.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix }, ConsistentRead: true,
  }));
  return out.Items ?? [];
}

describe('dashboard under concurrency', () => {
  it('50 incidents reported in parallel leave incidentCount at exactly 50; resolves and investigations move the counters exactly', async () => {
    const org = await newOrg();
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => report(i % 2 ? org.aide : org.coordinator, org.a, fall({ occurredAt: new Date(Date.parse('2025-03-01T00:00:00Z') + i * 60_000).toISOString() }))),
    );
    expect(created.map((r) => r.status)).toEqual(Array(50).fill(201));
    const after = await dashboard(org.coordinator, org.a);
    expect(after.body).toEqual({
      patientId: org.a,
      statusOverview: { open: 50, investigating: 0, resolved: 0 },
      incidentCount: 50,
      openIncidentCount: 50,
      lastIncidentAt: '2025-03-01T00:49:00.000Z',
    });
    expect(await itemsUnder(PatientKeys.partition(org.orgId, org.a), 'INC#')).toHaveLength(50);

    // In parallel: 10 resolved straight away, 5 investigated, and the 10 resolved PATCHed again with
    // a stale version (must fail and change nothing).
    const ids = created.map((r) => r.body.id as string);
    const resolves = ids.slice(0, 10).map((id) => patch(org.coordinator, org.a, id, { version: 1, status: 'resolved', resolution: 'Reviewed' }));
    const investigates = ids.slice(10, 15).map((id) => patch(org.admin, org.a, id, { version: 1, status: 'investigating' }));
    const results = await Promise.all([...resolves, ...investigates]);
    expect(results.map((r) => r.status)).toEqual(Array(15).fill(200));
    const stale = await Promise.all(ids.slice(0, 10).map((id) => patch(org.coordinator, org.a, id, { version: 1, status: 'resolved', resolution: 'Again' })));
    expect(stale.map((r) => r.status)).toEqual(Array(10).fill(409));

    const final = (await dashboard(org.family, org.a)).body;
    expect(final.statusOverview).toEqual({ open: 35, investigating: 5, resolved: 10 });
    expect(final.incidentCount).toBe(50);
    expect(final.openIncidentCount).toBe(40);
    // Always what the incidents say.
    const stored = await itemsUnder(PatientKeys.partition(org.orgId, org.a), 'INC#');
    expect(stored.filter((i) => i.status !== 'resolved')).toHaveLength(final.openIncidentCount);
  });
});

describe('reporting', () => {
  it('answers the incident with status, reporter, deadline, and overdue computed from the clock', async () => {
    const org = await newOrg();
    clock.set('2025-03-01T10:00:00.000Z');
    const res = await report(org.aide, org.a, fall({ severity: 'critical', location: 'Room 204 bathroom', witnesses: ['Night nurse'] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      patientId: org.a, category: 'fall', severity: 'critical', status: 'open', reportedBy: org.aide.userId, reportedAt: '2025-03-01T10:00:00.000Z',
      occurredAt: '2025-03-01T09:30:00.000Z', reportDueBy: '2025-03-01T11:30:00.000Z', overdue: false, version: 1,
      location: 'Room 204 bathroom', witnesses: ['Night nurse'],
    });
    clock.set('2025-03-01T11:30:01.000Z');
    expect((await list(org.coordinator, org.a)).body.items[0].overdue).toBe(true);
    const resolved = await patch(org.coordinator, org.a, res.body.id, { version: 1, status: 'resolved', resolution: 'Reported to the state' });
    expect(resolved.body).toMatchObject({ status: 'resolved', overdue: false, resolvedBy: org.coordinator.userId, resolution: 'Reported to the state' });
    expect((await report(org.aide, org.a, fall({ severity: 'high' }))).body.reportDueBy).toBe('2025-03-02T09:30:00.000Z');
    expect((await report(org.aide, org.a, fall({ category: 'abuse_suspected', severity: 'low' }))).body.reportDueBy).toBe('2025-03-01T11:30:00.000Z');
    expect((await report(org.aide, org.a, fall())).body.reportDueBy).toBeNull();
  });

  it('honours Idempotency-Key: same key and body replays, another body is 422, one incident counted', async () => {
    const org = await newOrg();
    const key = { 'Idempotency-Key': randomUUID() };
    const first = await report(org.clinician, org.a, fall(), key);
    const again = await report(org.clinician, org.a, fall(), key);
    expect(first.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await report(org.clinician, org.a, fall({ severity: 'low' }), key)).status).toBe(422);
    expect((await dashboard(org.admin, org.a)).body.incidentCount).toBe(1);
  });

  it.each([
    ['an unknown category', fall({ category: 'flood' }), 'body.category'],
    ['occurredAt more than 5 minutes ahead', fall({ occurredAt: '2025-03-01T10:05:01.000Z' }), 'body.occurredAt'],
    ['empty details', fall({ details: '  ' }), 'body.details'],
    ['details over 10,000 characters', fall({ details: 'x'.repeat(10_001) }), 'body.details'],
    ['a server-owned field', fall({ reportedBy: 'someone' }), 'body.reportedBy'],
  ])('refuses %s with 400 and writes nothing', async (_name, body, path) => {
    const org = await newOrg();
    clock.set('2025-03-01T10:00:00.000Z');
    const res = await report(org.coordinator, org.a, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await itemsUnder(PatientKeys.partition(org.orgId, org.a), 'INC#')).toHaveLength(0);
    expect(await itemsUnder(PatientKeys.partition(org.orgId, org.a), 'DASHBOARD')).toHaveLength(0);
  });

  it('a patient that does not exist is 404, even for staff', async () => {
    const org = await newOrg();
    expect((await report(org.admin, `pat-${randomUUID()}`, fall())).status).toBe(404);
  });
});

describe('access', () => {
  it('who may report: staff and aides or clinicians on the care team', async () => {
    const org = await newOrg();
    for (const u of [org.admin, org.coordinator, org.aide, org.clinician]) expect((await report(u, org.a, fall())).status).toBe(201);
    expect((await report(org.family, org.a, fall())).status).toBe(403);
    expect((await report(org.patient, org.a, fall())).status).toBe(403);
    expect((await report(org.compliance, org.a, fall())).status).toBe(403);
    expect((await report(org.strangerAide, org.a, fall())).status).toBe(404);
    expect((await report(org.aide, org.b, fall())).status).toBe(404);
  });

  it('who may read: whoever may see the patient; compliance never; another org 404', async () => {
    const org = await newOrg();
    const other = await newOrg();
    await report(org.aide, org.a, fall());
    for (const u of [org.admin, org.coordinator, org.aide, org.clinician, org.family, org.patient]) {
      expect((await list(u, org.a)).body.items, u.roles[0]).toHaveLength(1);
      expect((await dashboard(u, org.a)).status).toBe(200);
    }
    expect((await list(org.compliance, org.a)).status).toBe(403);
    expect((await dashboard(org.compliance, org.a)).status).toBe(403);
    expect((await call(org.compliance, 'GET /incidents')).status).toBe(403);
    expect((await call(org.aide, 'GET /incidents')).status).toBe(403);
    expect((await list(org.strangerAide, org.a)).status).toBe(404);
    expect((await list(org.patient, org.b)).status).toBe(404);
    expect((await list(other.admin, org.a)).status).toBe(404);
    expect((await dashboard(other.admin, org.a)).status).toBe(404);
    expect((await call(other.admin, 'GET /incidents')).body.items).toHaveLength(0);
  });

  it('who may change: staff or the reporter; other care-team members 403; resolved is final; stale version 409', async () => {
    const org = await newOrg();
    const other = await newOrg();
    const inc = (await report(org.aide, org.a, fall())).body;
    const pid = org.a;
    expect((await patch(org.aide2, pid, inc.id, { version: 1, status: 'investigating' })).status).toBe(403);
    expect((await patch(org.family, pid, inc.id, { version: 1, status: 'investigating' })).status).toBe(403);
    expect((await patch(org.compliance, pid, inc.id, { version: 1, status: 'investigating' })).status).toBe(403);
    expect((await patch(other.admin, pid, inc.id, { version: 1, status: 'investigating' })).status).toBe(404);
    const investigating = await patch(org.aide, pid, inc.id, { version: 1, status: 'investigating', notifiedParties: ['Daughter'] });
    expect(investigating.status).toBe(200);
    expect(investigating.body).toMatchObject({ status: 'investigating', version: 2, notifiedParties: ['Daughter'] });
    const stale = await patch(org.coordinator, pid, inc.id, { version: 1, status: 'resolved', resolution: 'x' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect((await patch(org.coordinator, pid, inc.id, { version: 2, status: 'resolved', resolution: 'Rug removed' })).status).toBe(200);
    for (const body of [{ version: 3, status: 'investigating' }, { version: 3, notifiedParties: ['State'] }]) {
      const res = await patch(org.coordinator, pid, inc.id, body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('invalid_transition');
    }
    expect((await patch(org.coordinator, pid, 'NOPE', { version: 1, status: 'investigating' })).status).toBe(404);
    const stored = (await list(org.admin, pid)).body.items[0];
    expect(stored).toMatchObject({ status: 'resolved', version: 3, resolution: 'Rug removed' });
  });
});

describe('lists', () => {
  it('newest occurredAt first (not reporting order), paged by cursor, filtered by status, per patient and org-wide', async () => {
    const org = await newOrg();
    clock.set('2025-03-05T12:00:00.000Z');
    const at = ['2025-03-03T08:00:00.000Z', '2025-03-01T08:00:00.000Z', '2025-03-04T08:00:00.000Z', '2025-03-02T08:00:00.000Z'];
    const ids: Record<string, string> = {};
    for (const t of at) ids[t] = (await report(org.coordinator, org.a, fall({ occurredAt: t }))).body.id;
    const onB = (await report(org.coordinator, org.b, fall({ occurredAt: '2025-03-05T08:00:00.000Z' }))).body.id;
    await patch(org.coordinator, org.a, ids[at[0]!]!, { version: 1, status: 'investigating' });
    await patch(org.coordinator, org.a, ids[at[1]!]!, { version: 1, status: 'resolved', resolution: 'ok' });

    const first = await list(org.family, org.a, { limit: '3' });
    expect(first.body.items.map((i: { occurredAt: unknown }) => i.occurredAt)).toEqual([at[2], at[0], at[3]]);
    const second = await list(org.family, org.a, { limit: '3', cursor: first.body.nextCursor });
    expect(second.body.items.map((i: { occurredAt: unknown }) => i.occurredAt)).toEqual([at[1]]);
    expect((await list(org.family, org.a, { status: 'open' })).body.items.map((i: { occurredAt: unknown }) => i.occurredAt)).toEqual([at[2], at[3]]);
    expect((await list(org.family, org.a, { status: 'resolved' })).body.items.map((i: { id: unknown }) => i.id)).toEqual([ids[at[1]!]]);

    const all = await call(org.admin, 'GET /incidents', { query: { limit: '2' } });
    expect(all.body.items.map((i: { id: unknown }) => i.id)).toEqual([onB, ids[at[2]!]]);
    const rest = await call(org.admin, 'GET /incidents', { query: { limit: '10', cursor: all.body.nextCursor } });
    expect(rest.body.items).toHaveLength(3);
    const open = await call(org.coordinator, 'GET /incidents', { query: { status: 'open' } });
    expect(open.body.items.map((i: { id: unknown }) => i.id)).toEqual([onB, ids[at[2]!], ids[at[3]!]]);
    const investigating = await call(org.coordinator, 'GET /incidents', { query: { status: 'investigating' } });
    expect(investigating.body.items.map((i: { id: unknown }) => i.id)).toEqual([ids[at[0]!]]);
    expect((await call(org.coordinator, 'GET /incidents', { query: { status: 'closed' } })).status).toBe(400);
    // A cursor of another list does not move this one.
    expect((await list(org.family, org.a, { cursor: all.body.nextCursor })).status).toBe(400);
  });
});
