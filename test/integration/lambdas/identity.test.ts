/**
 * The identity function end to end against a real DynamoDB Local table: the handler built by
 * createIdentityHandler, driven with API Gateway events, with an in-memory user directory in place
 * of Cognito. Each test works in an org of its own, so counts never see another test's data.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHandler } from '../../../lambdas/identity/app.js';
import type { NewLogin, UserDirectory } from '../../../lambdas/identity/user-directory.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import { Db, encodeCursor } from '../../../lambdas/shared/data/db.js';
import { MrnKeys, PatientKeys } from '../../../lambdas/shared/data/keys.js';
import { ConflictError } from '../../../lambdas/shared/errors.js';
import type { Patient } from '../../../schemas/identity.js';
import type { Role } from '../../../schemas/roles.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type EventSpec, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { Json } from '../../support/json.js';

/** Cognito stand-in: one login per email, uuid user ids. */
class MemoryDirectory implements UserDirectory {
  readonly logins = new Map<string, NewLogin & { userId: string }>();
  async createLogin(login: NewLogin) {
    if (this.logins.has(login.email)) throw new ConflictError('A user with this email already exists');
    const userId = randomUUID();
    this.logins.set(login.email, { ...login, userId });
    return { userId };
  }
  async deleteLogin(email: string) {
    this.logins.delete(email);
  }
}

let table: TestTable;
let doc: DynamoDBDocumentClient;
let handler: ApiHandler;
const clock = manualClock('2025-03-01T10:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('identity-it');
  doc = DynamoDBDocumentClient.from(table.client);
  handler = createIdentityHandler({ db: new Db(table.client, table.tableName), directory: new MemoryDirectory(), clock, logger: silentLogger() });
});

afterAll(async () => {
  await table?.drop();
});

interface Res<T = Json> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

async function call<T = Json>(caller: TestCaller | undefined, route: string, opts: Omit<EventSpec, 'route' | 'caller'> = {}): Promise<Res<T>> {
  const res = await handler(apiEvent({ route, ...opts, ...(caller ? { caller } : {}) }), lambdaContext());
  return { status: res.statusCode, body: bodyOf<T>(res), headers: res.headers ?? {} };
}

/** A fresh org with an admin and a coordinator (staff need no profile item: they pass on claims). */
function newOrg() {
  const orgId = `org-${randomUUID()}`;
  return {
    orgId,
    admin: { userId: `admin-${randomUUID()}`, orgId, roles: ['admin'] } as TestCaller,
    coordinator: { userId: `coord-${randomUUID()}`, orgId, roles: ['coordinator'] } as TestCaller,
  };
}

let mrnSeq = 0;
const uniqueMrn = () => `MRN-${Date.now()}-${++mrnSeq}`;

async function createPatient(staff: TestCaller, fields: Record<string, unknown> = {}): Promise<Patient> {
  const res = await call<Patient>(staff, 'POST /patients', { body: { displayName: 'Ada Lovelace', medicalRecordNumber: uniqueMrn(), ...fields } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Creates a user through POST /users and answers the caller its ID token would make. */
async function createUser(admin: TestCaller, role: Role, patientId?: string): Promise<TestCaller> {
  const res = await call(admin, 'POST /users', {
    body: { email: `${role}-${randomUUID()}@example.test`, displayName: `A ${role}`, role, ...(patientId ? { patientId } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { userId: res.body.userId, orgId: admin.orgId, roles: [role], email: res.body.email, ...(patientId ? { patientId } : {}) };
}

async function rawItem(key: { PK: string; SK: string }) {
  return (await doc.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }))).Item;
}

async function listAll(caller: TestCaller, route: string, query: Record<string, string> = {}): Promise<Patient[]> {
  const items: Patient[] = [];
  let cursor: string | null = null;
  do {
    const res: Res = await call(caller, route, { query: { ...query, limit: '100', ...(cursor ? { cursor } : {}) } });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('POST /patients', () => {
  it('creates an active patient at version 1, stamped with the actor and the request', async () => {
    const { orgId, coordinator } = newOrg();
    const mrn = uniqueMrn();

    const res = await call(coordinator, 'POST /patients', {
      body: { displayName: 'Grace Hopper', medicalRecordNumber: mrn, room: '12B' },
      requestId: 'req-create-1',
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName: 'Grace Hopper', medicalRecordNumber: mrn, room: '12B', orgId, isActive: true, version: 1 });
    expect(res.headers['x-request-id']).toBe('req-create-1');
    const item = await rawItem(PatientKeys.key(orgId, res.body.id));
    expect(item).toMatchObject({ entityType: 'Patient', updatedBy: coordinator.userId, updatedByRoles: ['coordinator'], requestId: 'req-create-1', source: 'api', version: 1 });
    expect(await rawItem(MrnKeys.key(orgId, mrn))).toMatchObject({ entityType: 'MrnClaim', patientId: res.body.id, requestId: 'req-create-1' });

    const read = await call(coordinator, 'GET /patients/{patientId}', { pathParameters: { patientId: res.body.id } });
    expect(read.body).toEqual(res.body);
  });

  it('refuses a duplicate MRN in the org with 409 (case-insensitively), and allows it in another org', async () => {
    const { orgId, coordinator } = newOrg();
    const mrn = uniqueMrn();
    await createPatient(coordinator, { medicalRecordNumber: mrn });

    const dup = await call(coordinator, 'POST /patients', { body: { displayName: 'Someone Else', medicalRecordNumber: mrn.toLowerCase() } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('conflict');
    expect(await listAll(coordinator, 'GET /patients')).toHaveLength(1);

    const other = newOrg();
    expect(other.orgId).not.toBe(orgId);
    await createPatient(other.coordinator, { medicalRecordNumber: mrn });
  });
});

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, creating one record', async () => {
    const { coordinator } = newOrg();
    const body = { displayName: 'Idem Potent', medicalRecordNumber: uniqueMrn() };
    const headers = { 'Idempotency-Key': 'create-once' };

    const first = await call(coordinator, 'POST /patients', { body, headers });
    clock.set('2025-03-01T11:00:00.000Z');
    const second = await call(coordinator, 'POST /patients', { body: { medicalRecordNumber: body.medicalRecordNumber, displayName: body.displayName }, headers });
    clock.set('2025-03-01T10:00:00.000Z');

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await listAll(coordinator, 'GET /patients')).map((p) => p.id)).toEqual([first.body.id]);
  });

  it('answers 422 idempotency_key_reused for the same key with another body, creating nothing', async () => {
    const { coordinator } = newOrg();
    const headers = { 'Idempotency-Key': 'k-1' };
    await call(coordinator, 'POST /patients', { body: { displayName: 'One', medicalRecordNumber: uniqueMrn() }, headers });

    const reused = await call(coordinator, 'POST /patients', { body: { displayName: 'Two', medicalRecordNumber: uniqueMrn() }, headers });

    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await listAll(coordinator, 'GET /patients')).toHaveLength(1);
  });

  it('keeps keys per user: another user with the same key creates their own', async () => {
    const { coordinator, admin } = newOrg();
    const headers = { 'Idempotency-Key': 'shared-key' };
    const a = await call(coordinator, 'POST /patients', { body: { displayName: 'A', medicalRecordNumber: uniqueMrn() }, headers });
    const b = await call(admin, 'POST /patients', { body: { displayName: 'B', medicalRecordNumber: uniqueMrn() }, headers });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('lets exactly one of 20 parallel POSTs with one key create the patient; all answer with it', async () => {
    const { coordinator } = newOrg();
    const body = { displayName: 'Race Condition', medicalRecordNumber: uniqueMrn() };

    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(coordinator, 'POST /patients', { body, headers: { 'Idempotency-Key': 'parallel' } })),
    );

    const patients = await listAll(coordinator, 'GET /patients');
    expect(patients).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([patients[0]!.id]));
  });
});

describe('PATCH /patients/{patientId}', () => {
  it('answers 409 version_conflict for a stale version and changes nothing', async () => {
    const { orgId, coordinator } = newOrg();
    const patient = await createPatient(coordinator, { room: '1' });
    const ok = await call(coordinator, 'PATCH /patients/{patientId}', { pathParameters: { patientId: patient.id }, body: { version: 1, room: '2' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ room: '2', version: 2 });
    const before = await rawItem(PatientKeys.key(orgId, patient.id));

    const stale = await call(coordinator, 'PATCH /patients/{patientId}', {
      pathParameters: { patientId: patient.id },
      body: { version: 1, room: '3', isActive: false },
    });

    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(await rawItem(PatientKeys.key(orgId, patient.id))).toEqual(before);
  });

  it('stamps the item with the updater and request, and removes fields set to null', async () => {
    const { orgId, coordinator, admin } = newOrg();
    const patient = await createPatient(coordinator, { facility: 'North Wing' });

    const res = await call(admin, 'PATCH /patients/{patientId}', {
      pathParameters: { patientId: patient.id },
      body: { version: 1, facility: null, isActive: false },
      requestId: 'req-patch-7',
    });

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('facility');
    const item = await rawItem(PatientKeys.key(orgId, patient.id));
    expect(item).toMatchObject({ isActive: false, version: 2, updatedBy: admin.userId, updatedByRoles: ['admin'], requestId: 'req-patch-7' });
    expect(item).not.toHaveProperty('facility');
  });

  it('moves the MRN claim: the old MRN is free again, the new one is taken', async () => {
    const { orgId, coordinator } = newOrg();
    const oldMrn = uniqueMrn();
    const newMrn = uniqueMrn();
    const patient = await createPatient(coordinator, { medicalRecordNumber: oldMrn });

    const moved = await call(coordinator, 'PATCH /patients/{patientId}', {
      pathParameters: { patientId: patient.id },
      body: { version: 1, medicalRecordNumber: newMrn },
    });
    expect(moved.status).toBe(200);
    expect(await rawItem(MrnKeys.key(orgId, oldMrn))).toBeUndefined();

    await createPatient(coordinator, { medicalRecordNumber: oldMrn });
    const taken = await call(coordinator, 'POST /patients', { body: { displayName: 'Third', medicalRecordNumber: newMrn } });
    expect(taken.status).toBe(409);
  });

  it('refuses to move the MRN onto another patient\'s, changing nothing', async () => {
    const { orgId, coordinator } = newOrg();
    const a = await createPatient(coordinator);
    const b = await createPatient(coordinator);

    const res = await call(coordinator, 'PATCH /patients/{patientId}', {
      pathParameters: { patientId: b.id },
      body: { version: 1, medicalRecordNumber: a.medicalRecordNumber },
    });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(await rawItem(PatientKeys.key(orgId, b.id))).toMatchObject({ medicalRecordNumber: b.medicalRecordNumber, version: 1 });
    expect(await rawItem(MrnKeys.key(orgId, b.medicalRecordNumber))).toMatchObject({ patientId: b.id });
  });
});

describe('care teams and who sees a patient', () => {
  it('lets a family member see the patient only while on the care team', async () => {
    const { admin, coordinator } = newOrg();
    const patient = await createPatient(coordinator);
    const other = await createPatient(coordinator);
    const family = await createUser(admin, 'family');
    const path = { patientId: patient.id };

    expect((await call(family, 'GET /patients/{patientId}', { pathParameters: path })).status).toBe(404);

    const put = await call(coordinator, 'PUT /patients/{patientId}/care-team/{userId}', {
      pathParameters: { ...path, userId: family.userId },
      body: { relationship: 'family' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ patientId: patient.id, userId: family.userId, relationship: 'family', role: 'family', addedBy: coordinator.userId });

    const team = await call(family, 'GET /patients/{patientId}/care-team', { pathParameters: path });
    expect(team.body.items.map((m: { userId: unknown; relationship: unknown }) => [m.userId, m.relationship])).toEqual([[family.userId, 'family']]);
    expect((await call(family, 'GET /patients/{patientId}', { pathParameters: path })).status).toBe(200);
    expect((await call(family, 'GET /patients/{patientId}', { pathParameters: { patientId: other.id } })).status).toBe(404);
    expect((await listAll(family, 'GET /patients')).map((p) => p.id)).toEqual([patient.id]);

    const del = await call(coordinator, 'DELETE /patients/{patientId}/care-team/{userId}', { pathParameters: { ...path, userId: family.userId } });
    expect(del.status).toBe(204);

    const after = await call(family, 'GET /patients/{patientId}', { pathParameters: path });
    expect(after.status).toBe(404);
    expect(after.body.error.code).toBe('not_found');
    expect(await listAll(family, 'GET /patients')).toEqual([]);
    expect((await call(coordinator, 'GET /patients/{patientId}/care-team', { pathParameters: path })).body.items).toEqual([]);
    expect((await call(coordinator, 'DELETE /patients/{patientId}/care-team/{userId}', { pathParameters: { ...path, userId: family.userId } })).status).toBe(404);
  });

  it('refuses a care-team member of another org, or a patient login, with no write', async () => {
    const org = newOrg();
    const patient = await createPatient(org.coordinator);
    const stranger = await createUser(newOrg().admin, 'aide');
    const res = await call(org.coordinator, 'PUT /patients/{patientId}/care-team/{userId}', {
      pathParameters: { patientId: patient.id, userId: stranger.userId },
      body: { relationship: 'aide' },
    });
    expect(res.status).toBe(404);

    const login = await createUser(org.admin, 'patient', patient.id);
    const asMember = await call(org.coordinator, 'PUT /patients/{patientId}/care-team/{userId}', {
      pathParameters: { patientId: patient.id, userId: login.userId },
      body: { relationship: 'family' },
    });
    expect(asMember.status).toBe(409);
    expect((await call(org.coordinator, 'GET /patients/{patientId}/care-team', { pathParameters: { patientId: patient.id } })).body.items).toEqual([]);
  });

  it('lets a patient login see its own record and nothing else', async () => {
    const { admin, coordinator } = newOrg();
    const mine = await createPatient(coordinator);
    const theirs = await createPatient(coordinator);
    const patient = await createUser(admin, 'patient', mine.id);

    const own = await call(patient, 'GET /patients/{patientId}', { pathParameters: { patientId: mine.id } });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: mine.id, userId: patient.userId });
    expect((await call(patient, 'GET /patients/{patientId}', { pathParameters: { patientId: theirs.id } })).status).toBe(404);
    expect((await listAll(patient, 'GET /patients')).map((p) => p.id)).toEqual([mine.id]);
  });

  it('answers 404 to staff of another org, as for a patient that does not exist', async () => {
    const { coordinator } = newOrg();
    const patient = await createPatient(coordinator);
    const outsider = newOrg();

    const res = await call(outsider.admin, 'GET /patients/{patientId}', { pathParameters: { patientId: patient.id } });
    const missing = await call(outsider.admin, 'GET /patients/{patientId}', { pathParameters: { patientId: 'no-such-patient' } });

    expect(res.status).toBe(404);
    expect(res.body).toEqual(missing.body);
    const patch = await call(outsider.coordinator, 'PATCH /patients/{patientId}', { pathParameters: { patientId: patient.id }, body: { version: 1, room: 'x' } });
    expect(patch.status).toBe(404);
    expect(await listAll(outsider.admin, 'GET /patients')).toEqual([]);
  });
});

describe('users', () => {
  it('lists the org\'s users, filtered by ?role=', async () => {
    const { admin, coordinator } = newOrg();
    const aide = await createUser(admin, 'aide');
    const clinician = await createUser(admin, 'clinician');
    const family = await createUser(admin, 'family');
    await createUser(newOrg().admin, 'aide');

    const all = await listAll(coordinator, 'GET /users');
    const aides = await listAll(admin, 'GET /users', { role: 'aide' });

    expect(all.map((u) => u.userId).sort()).toEqual([aide.userId, clinician.userId, family.userId].sort());
    expect(aides).toEqual([expect.objectContaining({ userId: aide.userId, role: 'aide', orgId: admin.orgId, email: aide.email })]);
    expect((await call(coordinator, 'GET /users', { query: { role: 'wizard' } })).status).toBe(400);
  });

  it('links a patient login to its record once; a second link is 409', async () => {
    const { orgId, admin, coordinator } = newOrg();
    const patient = await createPatient(coordinator);

    const first = await call(admin, 'POST /users', { body: { email: 'p1@example.test', displayName: 'P One', role: 'patient', patientId: patient.id } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ email: 'p1@example.test', role: 'patient', patientId: patient.id });
    expect(await rawItem(PatientKeys.key(orgId, patient.id))).toMatchObject({ userId: first.body.userId, version: 2 });

    const second = await call(admin, 'POST /users', { body: { email: 'p2@example.test', displayName: 'P Two', role: 'patient', patientId: patient.id } });
    expect(second.status).toBe(409);
    expect(await rawItem(PatientKeys.key(orgId, patient.id))).toMatchObject({ userId: first.body.userId });
    expect((await listAll(admin, 'GET /users', { role: 'patient' })).map((u) => u.userId)).toEqual([first.body.userId]);
  });

  it('answers 409 for a duplicate email', async () => {
    const { admin } = newOrg();
    const body = { email: `dup-${randomUUID()}@example.test`, displayName: 'Dup', role: 'aide' };
    expect((await call(admin, 'POST /users', { body })).status).toBe(201);
    expect((await call(admin, 'POST /users', { body })).status).toBe(409);
  });
});

describe('list paging', () => {
  it('walks every patient exactly once with limit and nextCursor', async () => {
    const { coordinator } = newOrg();
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await createPatient(coordinator, { displayName: `Patient ${String.fromCharCode(71 - i)}` }));

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: Res = await call(coordinator, 'GET /patients', { query: { limit: '3', ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      pages.push(res.body.items.map((p: Patient) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(7);
    expect(seen.sort()).toEqual(created.map((p) => p.id).sort());
  });

  it('refuses a cursor of another org\'s list with 400', async () => {
    const a = newOrg();
    const b = newOrg();
    await createPatient(b.coordinator);
    await createPatient(b.coordinator);
    const page = await call(b.coordinator, 'GET /patients', { query: { limit: '1' } });
    expect(page.body.nextCursor).toEqual(expect.any(String));

    const res = await call(a.coordinator, 'GET /patients', { query: { cursor: page.body.nextCursor } });
    expect(res.status).toBe(400);
    const forged = encodeCursor({ GSI1PK: `ORG#${b.orgId}#PATIENTS`, GSI1SK: 'a', PK: 'x', SK: 'y' });
    expect((await call(a.coordinator, 'GET /patients', { query: { cursor: forged } })).status).toBe(400);
  });
});
