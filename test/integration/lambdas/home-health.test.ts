/**
 * The home-health function against DynamoDB Local: aide profiles, visits booked on the aide
 * calendar (parallel overlapping assignments, travel-time conflicts, reassigning frees time), the
 * care-team join, late and missed checks, EVV with geofence exceptions, maintenance and export,
 * supplies under parallel use and replays, service logs, the day route, access and bad input.
 * Each test works in an org of its own.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHomeHealthHandler } from '../../../lambdas/home-health/app.js';
import { VisitRepository } from '../../../lambdas/home-health/visit-repository.js';
import { VisitWork, type VisitCheckPayload } from '../../../lambdas/home-health/visit-work.js';
import { CalendarKeys } from '../../../lambdas/shared/calendar/calendar-repository.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamKeys, PatientKeys, UserKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { Json } from '../../support/json.js';

class RecordingScheduler implements Scheduler {
  readonly once = new Map<string, OneTimeSchedule>();
  async putRecurring(_s: RecurringSchedule) {}
  async putOneTime(s: OneTimeSchedule) {
    this.once.set(s.name, s);
  }
  async delete(name: string) {
    this.once.delete(name);
  }
}

let table: TestTable;
let db: Db;
let doc: DynamoDBDocumentClient;
let handler: ApiHandler;
let work: VisitWork;
const scheduler = new RecordingScheduler();
const clock = manualClock('2030-01-01T12:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('home-health-it');
  db = new Db(table.client, table.tableName);
  doc = DynamoDBDocumentClient.from(table.client);
  handler = createHomeHealthHandler({ db, scheduler, clock, logger: silentLogger() });
  work = new VisitWork(new VisitRepository(db), clock, silentLogger());
});

afterAll(async () => {
  await table?.drop();
});

interface Res<T = Json> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
  raw: string;
}

async function call<T = Json>(caller: TestCaller, route: string, opts: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; key?: string } = {}): Promise<Res<T>> {
  const res = await handler(
    apiEvent({
      route, caller, ...(opts.params ? { pathParameters: opts.params } : {}), ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}), ...(opts.key ? { headers: { 'idempotency-key': opts.key } } : {}),
    }),
    lambdaContext(),
  );
  const isJson = String(res.headers?.['content-type'] ?? '').includes('json');
  return { status: res.statusCode, body: (res.body && isJson ? JSON.parse(res.body) : res.body) as T, headers: res.headers ?? {}, raw: res.body };
}

const HOME = { lat: 40.0, lng: -75.0 };
const WEEK = { MON: [['00:00', '24:00']], TUE: [['00:00', '24:00']], WED: [['00:00', '24:00']], THU: [['00:00', '24:00']], FRI: [['00:00', '24:00']], SAT: [['00:00', '24:00']], SUN: [['00:00', '24:00']] };

/** An org with two patients; patient A's care team holds aide `onTeam` and family; `aides` are not on any team. */
async function newOrg(aideCount = 3) {
  const orgId = `org-${randomUUID()}`;
  const a = `pat-${randomUUID()}`;
  const b = `pat-${randomUUID()}`;
  for (const [p, name] of [[a, 'Margaret'], [b, 'Walter']] as const) await db.putItem({ ...PatientKeys.key(orgId, p), entityType: 'Patient', id: p, orgId, displayName: name });
  const who = (role: TestCaller['roles'][number]): TestCaller => ({ userId: `${role}-${randomUUID()}`, orgId, roles: [role] });
  const user = async (c: TestCaller, name: string) => {
    await db.putItem({ ...UserKeys.key(orgId, c.userId), entityType: 'User', userId: c.userId, orgId, email: `${c.userId}@x.example`, displayName: name, role: c.roles[0], createdAt: '2030-01-01T00:00:00.000Z' });
    return c;
  };
  const coordinator = await user(who('coordinator'), 'Coordinator');
  const onTeam = await user(who('aide'), 'Team Aide');
  const family = await user(who('family'), 'Family');
  const aides: TestCaller[] = [];
  for (let i = 0; i < aideCount; i++) aides.push(await user(who('aide'), `Aide ${i}`));
  for (const u of [onTeam, family]) {
    await db.putItem({ ...CareTeamKeys.key(orgId, a, u.userId), ...CareTeamKeys.byUser(orgId, u.userId, a), entityType: 'CareTeamMember', userId: u.userId, orgId, patientId: a, relationship: u.roles[0] });
  }
  return { orgId, a, b, coordinator, onTeam, family, aides, stranger: who('aide') };
}

const visitBody = (start: string, minutes = 60, over: Record<string, unknown> = {}) => ({
  serviceType: 'personal_care',
  scheduledStart: start,
  scheduledEnd: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
  location: { lat: 40.0, lng: -75.0, address: '1 Main St, Springfield' },
  ...over,
});
const createVisit = (org: Awaited<ReturnType<typeof newOrg>>, patientId: string, body: unknown, key?: string) =>
  call(org.coordinator, 'POST /patients/{patientId}/visits', { params: { patientId }, body, ...(key ? { key } : {}) });
const assign = (org: Awaited<ReturnType<typeof newOrg>>, patientId: string, visitId: string, aideId: string) =>
  call(org.coordinator, 'POST /patients/{patientId}/visits/{visitId}/assign', { params: { patientId, visitId }, body: { aideId } });
const profile = (org: Awaited<ReturnType<typeof newOrg>>, aide: TestCaller, over: Record<string, unknown> = {}) =>
  call(org.coordinator, 'PUT /aides/{userId}', { params: { userId: aide.userId }, body: { skills: ['personal_care'], homeBase: HOME, serviceRadiusKm: 50, availability: WEEK, timezone: 'UTC', ...over } });
const check = (aide: TestCaller, action: 'check-in' | 'check-out', patientId: string, visitId: string, body: unknown) =>
  call(aide, `POST /patients/{patientId}/visits/{visitId}/${action}`, { params: { patientId, visitId }, body });

async function calendarEntries(orgId: string, aideId: string) {
  const out = await doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': CalendarKeys.partition(orgId, { kind: 'user', id: aideId }) }, ConsistentRead: true }));
  return [...new Set((out.Items ?? []).flatMap((d) => (d.entries as Array<{ id: string }>).map((e) => e.id)))];
}
async function partitionCount(pk: string) {
  const out = await doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }));
  return out.Items?.length ?? 0;
}

describe('the aide calendar', () => {
  it('of 12 parallel overlapping assignments for one aide, exactly one wins', async () => {
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    const visits = await Promise.all(Array.from({ length: 12 }, (_, i) => createVisit(org, i % 2 ? org.a : org.b, visitBody(`2030-01-07T09:${String(i * 2).padStart(2, '0')}:00Z`))));
    expect(visits.map((v) => v.status)).toEqual(Array(12).fill(201));
    const results = await Promise.all(visits.map((v) => assign(org, v.body.patientId, v.body.id, aide.userId)));
    const won = results.filter((r) => r.status === 200);
    console.log(`[figures] home-health: ${results.length} raced, ${won.length} won`);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(11);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'conflict')).toBe(true);
    expect(await calendarEntries(org.orgId, aide.userId)).toEqual([won[0]!.body.id]);
    // The losers changed nothing: still scheduled, no aide.
    const day = await call(org.coordinator, 'GET /visits', { query: { date: '2030-01-07', status: 'scheduled', limit: '100' } });
    expect(day.body.items).toHaveLength(11);
  });

  it('refuses a booking without the travel time from the previous place, accepts one at the same place; reassigning frees the time', async () => {
    const org = await newOrg(2);
    const [aide, other] = org.aides as [TestCaller, TestCaller];
    const first = (await createVisit(org, org.a, visitBody('2030-01-08T09:00:00Z'))).body;
    expect((await assign(org, org.a, first.id, aide.userId)).status).toBe(200);
    // 20 km north (~24 km by road, ~48 min at 30 km/h), 10 minutes after the first ends.
    const far = (await createVisit(org, org.b, visitBody('2030-01-08T10:10:00Z', 50, { location: { lat: 40.18, lng: -75.0, address: 'Far Rd 2' } }))).body;
    const refused = await assign(org, org.b, far.id, aide.userId);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([{ path: 'interval', message: `${first.scheduledStart}/${first.scheduledEnd}` }]);
    const near = (await createVisit(org, org.b, visitBody('2030-01-08T10:10:00Z', 30))).body;
    expect((await assign(org, org.b, near.id, aide.userId)).status).toBe(200);
    // Cancel the near one and reassign the first to the other aide: the far one now fits.
    expect((await call(org.coordinator, 'POST /patients/{patientId}/visits/{visitId}/cancel', { params: { patientId: org.b, visitId: near.id }, body: { reason: 'Family visiting' } })).status).toBe(200);
    const moved = await assign(org, org.a, first.id, other.userId);
    expect(moved.status).toBe(200);
    expect(moved.body.aideId).toBe(other.userId);
    expect(await calendarEntries(org.orgId, aide.userId)).toEqual([]);
    expect(await calendarEntries(org.orgId, other.userId)).toEqual([first.id]);
    expect((await assign(org, org.b, far.id, aide.userId)).status).toBe(200);
  });

  it('puts the aide on the care team in the assignment, and a visit made with aideId is booked the same way', async () => {
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    const made = await createVisit(org, org.b, { ...visitBody('2030-01-09T09:00:00Z'), aideId: aide.userId });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ status: 'assigned', aideId: aide.userId });
    const member = await db.get(CareTeamKeys.key(org.orgId, org.b, aide.userId), true);
    expect(member).toMatchObject({ relationship: 'aide', entityType: 'CareTeamMember', updatedBy: org.coordinator.userId });
    const clash = await createVisit(org, org.a, { ...visitBody('2030-01-09T09:30:00Z'), aideId: aide.userId });
    expect(clash.status).toBe(409);
    const listed = await call(org.coordinator, 'GET /patients/{patientId}/visits', { params: { patientId: org.a } });
    expect(listed.body.items).toEqual([]); // the refused create wrote nothing
    expect(await calendarEntries(org.orgId, aide.userId)).toEqual([made.body.id]);
  });
});

describe('bad input and access', () => {
  it('answers 400 with details and writes nothing', async () => {
    const org = await newOrg(1);
    const bad = [
      visitBody('2030-01-07T09:00:00Z', -30),
      visitBody('2030-01-07T09:00:00Z', 10),
      visitBody('2030-01-07T09:00:00Z', 13 * 60),
      visitBody('2030-01-07T09:00:00Z', 60, { location: { lat: 91, lng: 0, address: 'x' } }),
      visitBody('2030-01-07T09:00:00Z', 60, { requiredSkills: ['Wound Care!'] }),
    ];
    for (const body of bad) {
      const res = await createVisit(org, org.a, body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    expect((await profile(org, org.aides[0]!, { homeBase: { lat: 0, lng: 181 } })).status).toBe(400);
    expect((await profile(org, org.coordinator)).status).toBe(400); // not an aide
    // The patient's partition holds what newOrg put there (the record and two members), no visit.
    expect(await partitionCount(PatientKeys.partition(org.orgId, org.a))).toBe(3);
    expect(await db.get({ PK: UserKeys.key(org.orgId, org.aides[0]!.userId).PK, SK: 'AIDE' }, true)).toBeUndefined();
  });

  it('lets only the assigned aide move a visit forward: 403 to another aide who sees the patient, 404 otherwise', async () => {
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    const visit = (await createVisit(org, org.a, { ...visitBody('2030-01-10T09:00:00Z'), aideId: aide.userId })).body;
    const fix = { location: { lat: 40.0, lng: -75.0 } };
    expect((await check(org.onTeam, 'check-in', org.a, visit.id, fix)).status).toBe(403);
    expect((await check(org.stranger, 'check-in', org.a, visit.id, fix)).status).toBe(404);
    const otherOrg = { ...aide, orgId: `org-${randomUUID()}` };
    expect((await check(otherOrg, 'check-in', org.a, visit.id, fix)).status).toBe(404);
    expect((await check(aide, 'check-out', org.a, visit.id, fix)).body.error.code).toBe('invalid_transition');
    expect((await check(aide, 'check-in', org.a, visit.id, fix)).status).toBe(200);
  });
});

describe('late and missed', () => {
  it('sets both checks on assignment, moves them on reassignment and removes them on check-in or cancel; fires re-check', async () => {
    const org = await newOrg(2);
    const [aide, other] = org.aides as [TestCaller, TestCaller];
    const v = (await createVisit(org, org.a, { ...visitBody('2030-01-11T09:00:00Z'), aideId: aide.userId })).body;
    const late = scheduler.once.get(`visit-${v.id}-late`)!;
    const missed = scheduler.once.get(`visit-${v.id}-missed`)!;
    expect(late.at).toBe('2030-01-11T09:15:00.000Z');
    expect(missed.at).toBe('2030-01-11T10:00:00.000Z');
    expect((await assign(org, org.a, v.id, other.userId)).status).toBe(200);
    expect(scheduler.once.get(`visit-${v.id}-late`)!.payload.aideId).toBe(other.userId);

    // The old aide's fire (payload of before the reassignment) does nothing.
    const fire = (s: OneTimeSchedule) => ({ ...(s.payload as VisitCheckPayload), scheduleName: s.name, scheduledTime: s.at }) as FiredPayload<VisitCheckPayload>;
    clock.set('2030-01-11T09:15:00.000Z');
    await work.onLate(fire(late));
    expect((await db.get({ PK: PatientKeys.partition(org.orgId, org.a), SK: `VISIT#${v.id}` }, true))!.lateNotifiedAt).toBeUndefined();
    await work.onLate(fire(scheduler.once.get(`visit-${v.id}-late`)!));
    const marked = await db.get({ PK: PatientKeys.partition(org.orgId, org.a), SK: `VISIT#${v.id}` }, true);
    expect(marked!.lateNotifiedAt).toBe('2030-01-11T09:15:00.000Z');
    expect(marked!.version).toBe(2); // bookkeeping: no version bump
    clock.set('2030-01-11T09:16:00.000Z');
    await work.onLate(fire(scheduler.once.get(`visit-${v.id}-late`)!)); // replay
    expect((await db.get({ PK: PatientKeys.partition(org.orgId, org.a), SK: `VISIT#${v.id}` }, true))!.lateNotifiedAt).toBe('2030-01-11T09:15:00.000Z');

    clock.set('2030-01-11T10:00:00.000Z');
    await work.onMissed(fire(scheduler.once.get(`visit-${v.id}-missed`)!));
    await work.onMissed(fire(scheduler.once.get(`visit-${v.id}-missed`)!));
    const missedVisit = await db.get({ PK: PatientKeys.partition(org.orgId, org.a), SK: `VISIT#${v.id}` }, true);
    expect(missedVisit).toMatchObject({ status: 'missed', version: 3, updatedBy: 'scheduler', auditAction: 'visit_missed' });

    // Check-in and cancel remove the checks; a fire after a check-in changes nothing.
    clock.set('2030-01-01T12:00:00.000Z');
    const w = (await createVisit(org, org.b, { ...visitBody('2030-01-12T09:00:00Z'), aideId: aide.userId })).body;
    const wMissed = scheduler.once.get(`visit-${w.id}-missed`)!;
    expect((await check(aide, 'check-in', org.b, w.id, { location: { lat: 40, lng: -75 }, at: '2030-01-01T12:00:00Z' })).status).toBe(200);
    expect(scheduler.once.has(`visit-${w.id}-late`)).toBe(false);
    expect(scheduler.once.has(`visit-${w.id}-missed`)).toBe(false);
    await work.onMissed(fire(wMissed));
    expect((await db.get({ PK: PatientKeys.partition(org.orgId, org.b), SK: `VISIT#${w.id}` }, true))!.status).toBe('in_progress');
    const x = (await createVisit(org, org.b, { ...visitBody('2030-01-13T09:00:00Z'), aideId: aide.userId })).body;
    expect(scheduler.once.has(`visit-${x.id}-missed`)).toBe(true);
    await call(org.coordinator, 'POST /patients/{patientId}/visits/{visitId}/cancel', { params: { patientId: org.b, visitId: x.id }, body: { reason: 'Hospitalised' } });
    expect(scheduler.once.has(`visit-${x.id}-late`)).toBe(false);
    expect(scheduler.once.has(`visit-${x.id}-missed`)).toBe(false);
  });
});

describe('suggestions', () => {
  it('keeps aides with the skills, availability, radius and a free calendar; nearest first from where they will be', async () => {
    clock.set('2030-01-01T12:00:00.000Z');
    const org = await newOrg(5);
    const [near, busy, unskilled, away, farHome] = org.aides as [TestCaller, TestCaller, TestCaller, TestCaller, TestCaller];
    const skills = ['personal_care', 'wound_care'];
    expect((await profile(org, near, { skills, homeBase: { lat: 40.05, lng: -75 } })).status).toBe(200);
    expect((await profile(org, busy, { skills, homeBase: { lat: 40.3, lng: -75 } })).status).toBe(200);
    expect((await profile(org, unskilled, { homeBase: { lat: 40.0, lng: -75 } })).status).toBe(200);
    expect((await profile(org, away, { skills, homeBase: { lat: 40.0, lng: -75 }, availability: { MON: [['08:00', '12:00']] } })).status).toBe(200);
    expect((await profile(org, farHome, { skills, homeBase: { lat: 41.5, lng: -75 }, serviceRadiusKm: 20 })).status).toBe(200);
    // busy's earlier visit that day ends 2 km from the new visit: it ranks first.
    const earlier = (await createVisit(org, org.b, { ...visitBody('2030-01-14T07:00:00Z', 60, { location: { lat: 40.02, lng: -75, address: 'Elm 3' } }), aideId: busy.userId })).body;
    expect(earlier.status).toBe('assigned');
    const target = (await createVisit(org, org.a, visitBody('2030-01-14T14:00:00Z', 60, { location: { lat: 40.0, lng: -75, address: 'Main 1' }, requiredSkills: skills }))).body;
    const res = await call(org.coordinator, 'GET /patients/{patientId}/visits/{visitId}/suggested-aides', { params: { patientId: org.a, visitId: target.id } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { aideId: unknown; from: unknown }) => [i.aideId, i.from])).toEqual([
      [busy.userId, 'previous_booking'],
      [near.userId, 'home_base'],
    ]);
    // The unavailable switch takes an aide out.
    expect((await call(near, 'PATCH /me/availability', { body: { status: 'unavailable' } })).status).toBe(200);
    const after = await call(org.coordinator, 'GET /patients/{patientId}/visits/{visitId}/suggested-aides', { params: { patientId: org.a, visitId: target.id } });
    expect(after.body.items.map((i: { aideId: unknown }) => i.aideId)).toEqual([busy.userId]);
    const skilled = await call(org.coordinator, 'GET /aides', { query: { skill: 'wound_care' } });
    expect(skilled.body.items.map((a: { userId: unknown }) => a.userId).sort()).toEqual([near.userId, busy.userId, away.userId, farHome.userId].sort());
  });
});

describe('EVV', () => {
  it('records a check outside the geofence, keeps the visit out of the export until a reason code, then exports it; locks after evvLockDays', async () => {
    clock.set('2030-02-03T13:55:00.000Z');
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    const v = (await createVisit(org, org.a, { ...visitBody('2030-02-03T14:00:00Z'), aideId: aide.userId })).body;
    const inside = await check(aide, 'check-in', org.a, v.id, { location: { lat: 40.01, lng: -75.0, accuracyMeters: 20 } }); // ~1.1 km away
    expect(inside.status).toBe(200);
    expect(inside.body.exceptions).toEqual([{ code: 'out_of_geofence', on: 'check-in', at: '2030-02-03T13:55:00.000Z' }]);
    clock.set('2030-02-03T15:00:00.000Z');
    const out = await check(aide, 'check-out', org.a, v.id, { location: { lat: 40.0, lng: -75.0 }, note: 'All done' });
    expect(out.body.status).toBe('completed');
    const exportJson = async () => (await call(org.coordinator, 'GET /evv', { query: { from: '2030-02-03', to: '2030-02-03' } })).body;
    expect(await exportJson()).toEqual({ visits: [], incomplete: [{ visitId: v.id, missing: ['reasonCode'] }] });

    const evv = await call(org.coordinator, 'GET /patients/{patientId}/visits/{visitId}/evv', { params: { patientId: org.a, visitId: v.id } });
    expect(evv.body).toMatchObject({
      visitId: v.id, serviceType: 'personal_care', recipient: { patientId: org.a, displayName: 'Margaret' }, date: '2030-02-03', timezone: 'UTC',
      provider: { aideId: aide.userId, displayName: 'Aide 0' }, begin: '2030-02-03T13:55:00.000Z', end: '2030-02-03T15:00:00.000Z', changes: [],
    });
    const fixed = await call(org.coordinator, 'PATCH /patients/{patientId}/visits/{visitId}/evv', {
      params: { patientId: org.a, visitId: v.id }, body: { version: evv.body.version, reasonCode: 'service_in_community', note: 'Met at the pharmacy' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.exceptions[0].reasonCode).toBe('service_in_community');
    const stale = await call(org.coordinator, 'PATCH /patients/{patientId}/visits/{visitId}/evv', {
      params: { patientId: org.a, visitId: v.id }, body: { version: evv.body.version, end: '2030-02-03T15:05:00Z', reasonCode: 'other' },
    });
    expect(stale.body.error.code).toBe('version_conflict');
    const exported = await exportJson();
    expect(exported.incomplete).toEqual([]);
    expect(exported.visits.map((r: { visitId: unknown }) => r.visitId)).toEqual([v.id]);
    const csv = await call(org.coordinator, 'GET /evv', { query: { from: '2030-02-01', to: '2030-02-28', format: 'csv' } });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.raw.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${v.id},personal_care,${org.a},2030-02-03,UTC,40,-75,"1 Main St, Springfield",${aide.userId},2030-02-03T13:55:00+00:00`);
    expect((await call(org.coordinator, 'GET /evv', { query: { from: '2030-02-01', to: '2030-03-04' } })).status).toBe(400);

    clock.set('2030-05-10T12:00:00.000Z'); // more than 95 days after
    const locked = await call(org.coordinator, 'PATCH /patients/{patientId}/visits/{visitId}/evv', {
      params: { patientId: org.a, visitId: v.id }, body: { version: fixed.body.version, end: '2030-02-03T15:05:00Z', reasonCode: 'other' },
    });
    expect(locked.status).toBe(409);
    clock.set('2030-01-01T12:00:00.000Z');
  });
});

describe('supplies', () => {
  it('never go below zero under parallel use; a replayed key changes stock once; SKU unique', async () => {
    clock.set('2030-03-01T08:00:00.000Z');
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    const supply = await call(org.coordinator, 'POST /supplies', { body: { name: 'Gauze pads', sku: 'GZ-100', unit: 'pack', quantity: 10, reorderLevel: 3 } });
    expect(supply.status).toBe(201);
    expect((await call(org.coordinator, 'POST /supplies', { body: { name: 'Other', sku: 'gz-100', unit: 'pack', quantity: 1, reorderLevel: 0 } })).status).toBe(409);
    const v = (await createVisit(org, org.a, { ...visitBody('2030-03-01T09:00:00Z'), aideId: aide.userId })).body;
    const use = (quantity: number, key?: string) =>
      call(aide, 'POST /patients/{patientId}/visits/{visitId}/supplies', { params: { patientId: org.a, visitId: v.id }, body: { supplyId: supply.body.id, quantity }, ...(key ? { key } : {}) });
    const raced = await Promise.all(Array.from({ length: 16 }, (_, i) => use(1, `use-${i}`)));
    const ok = raced.filter((r) => r.status === 201).length;
    // Replays of the first 4 keys: the first response again, no stock moved.
    const replays = await Promise.all(Array.from({ length: 4 }, (_, i) => use(1, `use-${i}`)));
    const stock = (await call(org.coordinator, 'GET /supplies', {})).body.items[0].quantity;
    console.log(`[figures] home-health supplies: ${raced.length} uses raced, ${ok} succeeded, final stock ${stock}; ${replays.length} replays`);
    expect(ok).toBe(10);
    expect(raced.filter((r) => r.status === 409)).toHaveLength(6);
    expect(stock).toBe(0);
    expect(replays.map((r) => [r.status, r.body.id])).toEqual(replays.map((_, i) => [raced[i]!.status, raced[i]!.body.id ?? undefined]));
    const usages = await call(org.coordinator, 'GET /patients/{patientId}/visits/{visitId}/supplies', { params: { patientId: org.a, visitId: v.id }, query: { limit: '100' } });
    expect(usages.body.items).toHaveLength(10);

    const adjust = (delta: number, key: string) => call(org.coordinator, 'POST /supplies/{supplyId}/adjust', { params: { supplyId: supply.body.id }, body: { delta, reason: 'Delivery' }, key });
    expect((await adjust(5, 'delivery-1')).status).toBe(200);
    expect((await adjust(5, 'delivery-1')).status).toBe(200);
    expect((await adjust(-6, 'shrink-1')).status).toBe(409);
    expect((await call(org.coordinator, 'GET /supplies', {})).body.items[0].quantity).toBe(5);
    expect((await call(aide, 'GET /supplies', { query: { below: 'reorder' } })).body.items).toEqual([]);
    expect((await use(3)).status).toBe(201);
    expect((await call(aide, 'GET /supplies', { query: { below: 'reorder' } })).body.items.map((s: { quantity: unknown }) => s.quantity)).toEqual([2]);
    expect((await use(0)).status).toBe(400);
    expect((await use(1.5)).status).toBe(400);
  });
});

describe('service logs and the day route', () => {
  it('takes logs from the assigned aide, shows them oldest first to the care team; routes the aide day', async () => {
    clock.set('2030-04-01T06:00:00.000Z');
    const org = await newOrg(1);
    const aide = org.aides[0]!;
    expect((await profile(org, aide, { homeBase: HOME })).status).toBe(200);
    const v1 = (await createVisit(org, org.a, { ...visitBody('2030-04-01T09:00:00Z', 60, { location: { lat: 40.1, lng: -75, address: 'A' } }), aideId: aide.userId })).body;
    const v2 = (await createVisit(org, org.b, { ...visitBody('2030-04-01T10:05:00Z', 60, { location: { lat: 40.3, lng: -75, address: 'B' } }), aideId: aide.userId }));
    expect(v2.status).toBe(409); // ~27 km by road does not fit in 5 minutes
    const v3 = (await createVisit(org, org.b, { ...visitBody('2030-04-01T12:00:00Z', 60, { location: { lat: 40.3, lng: -75, address: 'B' } }), aideId: aide.userId })).body;
    const route = await call(aide, 'GET /me/route', { query: { date: '2030-04-01' } });
    expect(route.status).toBe(200);
    expect(route.body.stops.map((s: { id: unknown; distanceKm: unknown; tight: unknown }) => [s.id, s.distanceKm, s.tight])).toEqual([
      [v1.id, 11.1, false],
      [v3.id, 22.2, false],
    ]);
    expect(route.body.totals).toMatchObject({ stops: 2, distanceKm: 66.7, homeDistanceKm: 33.4 });

    const log = (caller: TestCaller, body: unknown) => call(caller, 'POST /patients/{patientId}/visits/{visitId}/logs', { params: { patientId: org.a, visitId: v1.id }, body });
    expect((await log(org.onTeam, { description: 'Not mine' })).status).toBe(403);
    expect((await log(aide, { description: 'Bathed and dressed', tasksCompleted: ['bath'], serviceMinutes: 45 })).status).toBe(201);
    clock.set('2030-04-01T06:01:00.000Z');
    expect((await log(aide, { description: 'Lunch prepared' })).status).toBe(201);
    const logs = await call(org.family, 'GET /patients/{patientId}/visits/{visitId}/logs', { params: { patientId: org.a, visitId: v1.id } });
    expect(logs.body.items.map((l: { description: unknown }) => l.description)).toEqual(['Bathed and dressed', 'Lunch prepared']);
    expect((await call(org.stranger, 'GET /patients/{patientId}/visits/{visitId}/logs', { params: { patientId: org.a, visitId: v1.id } })).status).toBe(404);
    clock.set('2030-01-01T12:00:00.000Z');
  });
});
