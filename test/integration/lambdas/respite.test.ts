/**
 * The respite function against DynamoDB Local: caregiver profiles, budgets kept exact under
 * parallel confirmations, cancellations and completions, many aides accepting one session at once
 * (exactly one wins, the others' calendars untouched), a 72-hour session on the one aide calendar
 * next to home visits (and in the aide's day route), check-in/out with the visits' EVV checks,
 * offer expiry, notices and the late check, access. Each test works in an org of its own.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHomeHealthHandler } from '../../../lambdas/home-health/app.js';
import { createRespiteHandler } from '../../../lambdas/respite/app.js';
import { OfferRepository } from '../../../lambdas/respite/offers/repository.js';
import { SessionRepository } from '../../../lambdas/respite/sessions/repository.js';
import { RespiteWork } from '../../../lambdas/respite/respite-work.js';
import { CalendarKeys } from '../../../lambdas/shared/calendar/calendar-repository.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamKeys, PatientKeys, UserKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { RespiteSession } from '../../../schemas/respite.js';
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
let respite: ApiHandler;
let homeHealth: ApiHandler;
let work: RespiteWork;
const scheduler = new RecordingScheduler();
const clock = manualClock('2030-01-01T12:00:00.000Z');

beforeAll(async () => {
  table = await createTestTable('respite-it');
  db = new Db(table.client, table.tableName);
  doc = DynamoDBDocumentClient.from(table.client);
  respite = createRespiteHandler({ db, scheduler, clock, logger: silentLogger() });
  homeHealth = createHomeHealthHandler({ db, scheduler, clock, logger: silentLogger() });
  work = new RespiteWork(new SessionRepository(db), new OfferRepository(db), clock, silentLogger());
});

afterAll(async () => {
  await table?.drop();
});

interface Res<T = Json> {
  status: number;
  body: T;
}

async function call<T = Json>(caller: TestCaller, route: string, opts: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; fn?: ApiHandler } = {}): Promise<Res<T>> {
  const res = await (opts.fn ?? respite)(
    apiEvent({
      route, caller, ...(opts.params ? { pathParameters: opts.params } : {}), ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    }),
    lambdaContext(),
  );
  return { status: res.statusCode, body: bodyOf<T>(res) };
}

const HOME = { lat: 40.0, lng: -75.0 };
const PLACE = { address: '12 Elm St, Springfield', lat: 40.0, lng: -75.0 };
const WEEK = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '24:00']]]));

type Org = Awaited<ReturnType<typeof newOrg>>;

/** An org with patient A (care team: family) and patient B; `aides` are on no team yet. */
async function newOrg(aideCount = 2, hours?: number) {
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
  const family = await user(who('family'), 'Family');
  const otherFamily = await user(who('family'), 'Other family');
  const aides: TestCaller[] = [];
  for (let i = 0; i < aideCount; i++) aides.push(await user(who('aide'), `Aide ${i}`));
  await db.putItem({ ...CareTeamKeys.key(orgId, a, family.userId), ...CareTeamKeys.byUser(orgId, family.userId, a), entityType: 'CareTeamMember', userId: family.userId, orgId, patientId: a, relationship: 'family' });
  const org = { orgId, a, b, coordinator, family, otherFamily, aides };
  if (hours !== undefined) expect((await setBudget(org, a, hours)).status).toBe(200);
  return org;
}

const at = (iso: string, plusMinutes = 0) => new Date(Date.parse(iso) + plusMinutes * 60_000).toISOString();
const setBudget = (org: Org, patientId: string, hoursPerYear: number, year = 2030) =>
  call(org.coordinator, 'PUT /patients/{patientId}/respite-budget', { params: { patientId }, body: { hoursPerYear, year } });
const budget = async (org: Org, patientId = org.a, year = 2030) =>
  (await call(org.coordinator, 'GET /patients/{patientId}/respite-budget', { params: { patientId }, query: { year: String(year) } })).body;
const request = (org: Org, startAt: string, minutes: number, over: Record<string, unknown> = {}, caller = org.family, patientId = org.a) =>
  call(caller, 'POST /patients/{patientId}/respite-sessions', { params: { patientId }, body: { startAt, endAt: at(startAt, minutes), location: PLACE, ...over } });
const offer = (org: Org, sessionId: string, aideId: string, over: Record<string, unknown> = {}, patientId = org.a) =>
  call(org.coordinator, 'POST /patients/{patientId}/respite-sessions/{sessionId}/offers', { params: { patientId, sessionId }, body: { aideId, ...over } });
const answer = (aide: TestCaller, o: { patientId: string; sessionId: string; offerId: string }, what: 'accept' | 'decline', body?: unknown) =>
  call(aide, `POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/${what}`, {
    params: { patientId: o.patientId, sessionId: o.sessionId, offerId: o.offerId }, ...(body !== undefined ? { body } : {}),
  });
const act = (caller: TestCaller, org: Org, sessionId: string, action: 'check-in' | 'check-out' | 'cancel', body: unknown, patientId = org.a) =>
  call(caller, `POST /patients/{patientId}/respite-sessions/{sessionId}/${action}`, { params: { patientId, sessionId }, body });
const getSession = async (org: Org, sessionId: string, patientId = org.a) =>
  (await call(org.coordinator, 'GET /patients/{patientId}/respite-sessions/{sessionId}', { params: { patientId, sessionId } })).body;
/** Request, offer and accept: a confirmed session held by `aide`. */
async function confirmed(org: Org, aide: TestCaller, startAt: string, minutes: number, patientId = org.a) {
  const s = await request(org, startAt, minutes, {}, org.coordinator, patientId);
  expect(s.status).toBe(201);
  const o = await offer(org, s.body.id, aide.userId, {}, patientId);
  expect(o.status).toBe(201);
  const accepted = await answer(aide, o.body, 'accept');
  expect(accepted.status).toBe(200);
  return accepted.body;
}

async function calendarEntries(orgId: string, aideId: string) {
  const out = await doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': CalendarKeys.partition(orgId, { kind: 'user', id: aideId }) }, ConsistentRead: true }));
  return [...new Set((out.Items ?? []).flatMap((d) => (d.entries as Array<{ id: string }>).map((e) => e.id)))];
}
async function item(pk: string, sk: string) {
  const out = await doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk AND SK = :sk', ExpressionAttributeValues: { ':pk': pk, ':sk': sk }, ConsistentRead: true }));
  return out.Items?.[0];
}
const fire = <P extends Record<string, unknown>>(s: OneTimeSchedule): FiredPayload<P & { kind: string }> =>
  ({ ...s.payload, scheduleName: s.name, scheduledTime: s.at }) as unknown as FiredPayload<P & { kind: string }>;

/** What the sessions say the budget must be. */
async function budgetFromSessions(org: Org) {
  const all = (await call(org.coordinator, 'GET /patients/{patientId}/respite-sessions', { params: { patientId: org.a }, query: { limit: '100' } })).body.items as RespiteSession[];
  const sum = (f: (s: RespiteSession) => boolean) => Math.round(all.filter(f).reduce((n, s) => n + s.hours, 0) * 100) / 100;
  return {
    reservedHours: sum((s) => s.status === 'confirmed' || s.status === 'in_progress'),
    usedHours: sum((s) => s.status === 'completed' || (s.status === 'cancelled' && s.cancellation === 'consumed')),
  };
}

// Every test starts at the same instant, whatever the previous one did to the clock.
beforeEach(() => clock.set('2030-01-01T12:00:00.000Z'));

describe('caregiver profiles', () => {
  it('are written by the family caregiver and read by staff and themself only', async () => {
    const org = await newOrg(0);
    const body = { fullName: 'Ann Carer', caregiverType: 'family', phoneNumber: '+1 555 0100', languages: ['en', 'es'], preferences: 'Weekday evenings' };
    const put = await call(org.family, 'PUT /me/caregiver-profile', { body });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...body, userId: org.family.userId, version: 1 });
    expect((await call(org.family, 'PUT /me/caregiver-profile', { body: { ...body, fullName: 'Ann B. Carer' } })).body.version).toBe(2);
    const read = (c: TestCaller) => call(c, 'GET /caregivers/{userId}/profile', { params: { userId: org.family.userId } });
    expect((await read(org.coordinator)).body).toMatchObject({ fullName: 'Ann B. Carer', version: 2 });
    expect((await read(org.family)).status).toBe(200);
    expect((await read(org.otherFamily)).status).toBe(404);
    expect((await call(org.coordinator, 'PUT /me/caregiver-profile', { body })).status).toBe(403);
    expect((await call(org.family, 'PUT /me/caregiver-profile', { body: { ...body, caregiverType: 'cousin' } })).status).toBe(400);
  });

  it('replaces the profile on parallel PUTs: each succeeds, the version counts every one', async () => {
    const org = await newOrg(0);
    const puts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call(org.family, 'PUT /me/caregiver-profile', { body: { fullName: `Carer ${i}`, caregiverType: 'family' } })),
    );
    expect(puts.map((p) => p.status)).toEqual(Array(6).fill(200));
    const stored = (await call(org.family, 'GET /caregivers/{userId}/profile', { params: { userId: org.family.userId } })).body;
    expect(stored.version).toBe(6);
    expect(puts.map((p) => p.body.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('requests and the budget', () => {
  it('validates times with details, hides patients of other teams, and refuses more hours than remain', async () => {
    const org = await newOrg(0, 10);
    const start = '2030-01-10T09:00:00.000Z';
    const bad = await request(org, start, 20);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'body.endAt', message: 'a session lasts at least 30 minutes' }]);
    expect((await request(org, start, 72 * 60 + 1)).status).toBe(400);
    expect((await request(org, '2029-12-31T09:00:00.000Z', 60)).body.error.details[0].path).toBe('body.startAt');
    expect((await request(org, start, -60)).body.error.details).toEqual([{ path: 'body.endAt', message: 'must be after startAt' }]);
    expect((await request(org, start, 60, {}, org.otherFamily)).status).toBe(404);
    const over = await request(org, start, 11 * 60);
    expect(over.status).toBe(409);
    const ok = await request(org, start, 10 * 60, { needs: ['companionship'], languages: ['en'] });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'requested', hours: 10, budgetYear: 2030, requestedBy: org.family.userId, aideId: null });
    // Requests reserve nothing: a second 10-hour request still fits.
    expect((await request(org, at(start, 24 * 60), 10 * 60)).status).toBe(201);
    // No budget for the year: nothing remains.
    expect((await request(org, '2031-01-10T09:00:00.000Z', 60)).status).toBe(409);
    // Family on the team read the budget; family elsewhere do not.
    expect((await call(org.family, 'GET /patients/{patientId}/respite-budget', { params: { patientId: org.a } })).body).toMatchObject({
      year: 2030, hoursPerYear: 10, reservedHours: 0, usedHours: 0, remainingHours: 10,
    });
    expect((await call(org.otherFamily, 'GET /patients/{patientId}/respite-budget', { params: { patientId: org.a } })).status).toBe(404);
    // The queue: staff, soonest first.
    const queue = await call(org.coordinator, 'GET /respite-sessions', { query: { status: 'requested' } });
    expect(queue.body.items.map((s: { startAt: unknown }) => s.startAt)).toEqual([start, at(start, 24 * 60)]);
    expect((await call(org.family, 'GET /respite-sessions', {})).status).toBe(403);
  });

  it('counts a session across the new year in its start year (the org zone)', async () => {
    const org = await newOrg(1, 5);
    expect((await setBudget(org, org.a, 5, 2031)).status).toBe(200);
    const s = await request(org, '2030-12-31T22:00:00.000Z', 4 * 60); // 22:00 to 02:00 UTC
    expect(s.body).toMatchObject({ budgetYear: 2030, hours: 4 });
    const o = await offer(org, s.body.id, org.aides[0]!.userId);
    expect((await answer(org.aides[0]!, o.body, 'accept')).status).toBe(200);
    expect(await budget(org, org.a, 2030)).toMatchObject({ reservedHours: 4, remainingHours: 1 });
    expect(await budget(org, org.a, 2031)).toMatchObject({ reservedHours: 0, remainingHours: 5 });
  });

  it('refuses a budget below what sessions already hold', async () => {
    const org = await newOrg(1, 10);
    await confirmed(org, org.aides[0]!, '2030-01-20T09:00:00.000Z', 6 * 60);
    expect((await setBudget(org, org.a, 5)).status).toBe(409);
    expect((await setBudget(org, org.a, 8)).body).toMatchObject({ hoursPerYear: 8, reservedHours: 6, remainingHours: 2 });
  });
});

describe('offers and accepting', () => {
  it('of 8 aides accepting one session at once, exactly one wins; the losers are untouched', async () => {
    const org = await newOrg(8, 100);
    const s = await request(org, '2030-01-15T09:00:00.000Z', 4 * 60);
    const offers = await Promise.all(org.aides.map((aide) => offer(org, s.body.id, aide.userId)));
    expect(offers.map((o) => o.status)).toEqual(Array(8).fill(201));
    const results = await Promise.all(org.aides.map((aide, i) => answer(aide, offers[i]!.body, 'accept')));
    const won = results.filter((r) => r.status === 200);
    console.log(`[figures] respite: ${results.length} accepted at once, ${won.length} won`);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const winner = org.aides[results.findIndex((r) => r.status === 200)]!;
    for (const aide of org.aides) expect(await calendarEntries(org.orgId, aide.userId)).toEqual(aide === winner ? [s.body.id] : []);
    const session = await getSession(org, s.body.id);
    expect(session).toMatchObject({ status: 'confirmed', aideId: winner.userId, version: 2 });
    expect(session.offers.filter((o: { status: unknown }) => o.status === 'accepted').map((o: { aideId: unknown }) => o.aideId)).toEqual([winner.userId]);
    expect(session.offers.filter((o: { status: unknown }) => o.status === 'offered')).toHaveLength(7);
    expect(await budget(org)).toMatchObject({ reservedHours: 4, usedHours: 0, remainingHours: 96 });
    // The winner joined the care team (and may now read the patient's sessions); losers did not.
    expect(await item(PatientKeys.partition(org.orgId, org.a), `MEMBER#${winner.userId}`)).toMatchObject({ relationship: 'aide', updatedBy: winner.userId });
    const loser = org.aides.find((a) => a !== winner)!;
    expect(await item(PatientKeys.partition(org.orgId, org.a), `MEMBER#${loser.userId}`)).toBeUndefined();
    expect((await call(winner, 'GET /patients/{patientId}/respite-sessions', { params: { patientId: org.a } })).status).toBe(200);
    // Notices: 24 h, 1 h and the late check, named after the session.
    expect([...scheduler.once.keys()].filter((n) => n.startsWith(`rsp-${s.body.id}`)).sort()).toEqual([`rsp-${s.body.id}-1h`, `rsp-${s.body.id}-24h`, `rsp-${s.body.id}-late`]);
  });

  it('a confirmation that would exceed the budget is refused (409) and books nothing', async () => {
    const org = await newOrg(2, 5);
    const s1 = await request(org, '2030-01-15T09:00:00.000Z', 3 * 60);
    const s2 = await request(org, '2030-01-16T09:00:00.000Z', 3 * 60);
    const o1 = await offer(org, s1.body.id, org.aides[0]!.userId);
    const o2 = await offer(org, s2.body.id, org.aides[1]!.userId);
    const [r1, r2] = await Promise.all([answer(org.aides[0]!, o1.body, 'accept'), answer(org.aides[1]!, o2.body, 'accept')]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const lost = r1.status === 409 ? 0 : 1;
    expect(await calendarEntries(org.orgId, org.aides[lost]!.userId)).toEqual([]);
    expect(await budget(org)).toMatchObject({ reservedHours: 3, remainingHours: 2 });
  });

  it('an aide answering another aide offer gets 404; an expired offer cannot be accepted', async () => {
    const org = await newOrg(2, 50);
    const s = await request(org, '2030-01-20T09:00:00.000Z', 120);
    const o = await offer(org, s.body.id, org.aides[0]!.userId, { expiresInMinutes: 30 });
    expect(o.body).toMatchObject({ status: 'offered', expiresAt: '2030-01-01T12:30:00.000Z' });
    const expiry = scheduler.once.get(`rsp-offer-${o.body.offerId}`)!;
    expect(expiry.at).toBe('2030-01-01T12:30:00.000Z');
    expect((await answer(org.aides[1]!, o.body, 'accept')).status).toBe(404);
    expect((await offer(org, s.body.id, org.aides[0]!.userId)).status).toBe(409); // already an open offer
    expect((await offer(org, s.body.id, org.coordinator.userId)).status).toBe(400); // not an aide
    // Past expiresAt, even before the expiry fires: refused.
    clock.set('2030-01-01T12:31:00.000Z');
    expect((await answer(org.aides[0]!, o.body, 'accept')).status).toBe(409);
    await work.onOfferExpiry(fire(expiry));
    await work.onOfferExpiry(fire(expiry)); // a replay changes nothing
    const after = await getSession(org, s.body.id);
    expect(after.offers.map((x: { status: unknown; version: unknown }) => [x.status, x.version])).toEqual([['expired', 2]]);
    expect(await calendarEntries(org.orgId, org.aides[0]!.userId)).toEqual([]);
    // Declining: only while offered.
    const o2 = await offer(org, s.body.id, org.aides[1]!.userId);
    expect((await answer(org.aides[1]!, o2.body, 'decline', { reason: 'Not available' })).body).toMatchObject({ status: 'declined', declineReason: 'Not available' });
    expect((await answer(org.aides[1]!, o2.body, 'accept')).status).toBe(409);
    expect(scheduler.once.has(`rsp-offer-${o2.body.offerId}`)).toBe(false);
    // The aide's assignments: every offer, soonest first.
    const mine = await call(org.aides[1]!, 'GET /me/assignments', {});
    expect(mine.body.items.map((x: { offerStatus: unknown; sessionStatus: unknown; confirmed: unknown }) => [x.offerStatus, x.sessionStatus, x.confirmed])).toEqual([['declined', 'requested', false]]);
    clock.set('2030-01-01T12:00:00.000Z');
  });
});

describe('the budget under parallel confirmations, cancellations and completions', () => {
  it('always equals what the sessions say', async () => {
    const org = await newOrg(10, 200);
    clock.set('2030-02-01T08:00:00.000Z');
    // Ten sessions, one per aide, two days apart from 3 Feb: confirmed in parallel.
    const starts = Array.from({ length: 10 }, (_, i) => at('2030-02-01T20:00:00.000Z', i * 2 * 24 * 60));
    const requested = await Promise.all(starts.map((s, i) => request(org, s, (2 + i) * 60, {}, org.coordinator)));
    expect(requested.map((r) => r.status)).toEqual(Array(10).fill(201));
    const offered = await Promise.all(requested.map((r, i) => offer(org, r.body.id, org.aides[i]!.userId)));
    const accepted = await Promise.all(offered.map((o, i) => answer(org.aides[i]!, o.body, 'accept')));
    expect(accepted.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await budget(org)).toMatchObject({ reservedHours: 65, usedHours: 0, remainingHours: 135 });
    clock.set('2030-02-03T08:00:00.000Z'); // the second session starts in 12 hours
    // At once: the first is checked in and out (used), the second cancelled within 24 h (consumed),
    // four cancelled days ahead (released), four new requests.
    const sid = (i: number) => requested[i]!.body.id as string;
    const fix = { location: { lat: 40.0005, lng: -75.0 } };
    await act(org.aides[0]!, org, sid(0), 'check-in', fix);
    const results = await Promise.all([
      act(org.aides[0]!, org, sid(0), 'check-out', fix),
      act(org.family, org, sid(1), 'cancel', { reason: 'Feeling better' }),
      ...[2, 3, 4, 5].map((i) => act(org.coordinator, org, sid(i), 'cancel', { reason: 'Plans changed' })),
      ...[0, 1, 2, 3].map((i) => request(org, at('2030-03-01T09:00:00.000Z', i * 24 * 60), 90)),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 201, 201, 201, 201]);
    expect(results[1].body).toMatchObject({ status: 'cancelled', cancellation: 'consumed' });
    expect(results[2]!.body).toMatchObject({ cancellation: 'released' });
    const b = await budget(org);
    const expected = await budgetFromSessions(org);
    console.log(`[figures] respite budget after the parallel run: ${JSON.stringify(b)}`);
    expect(b).toMatchObject(expected);
    // 2 h completed + 3 h consumed used; 8..11 h still reserved; 4..7 h released.
    expect(b).toMatchObject({ hoursPerYear: 200, usedHours: 5, reservedHours: 38, remainingHours: 157 });
    // Cancelling frees the aides' time and the notices.
    expect(await calendarEntries(org.orgId, org.aides[3]!.userId)).toEqual([]);
    expect([...scheduler.once.keys()].filter((n) => n.startsWith(`rsp-${sid(3)}`))).toEqual([]);
    clock.set('2030-01-01T12:00:00.000Z');
  });
});

describe('check-in and check-out', () => {
  it('records location checks as visits do and moves the hours to used', async () => {
    const org = await newOrg(2, 20);
    const s = await confirmed(org, org.aides[0]!, '2030-01-05T09:00:00.000Z', 3 * 60);
    clock.set('2030-01-05T09:02:00.000Z');
    expect((await act(org.aides[1]!, org, s.id, 'check-in', { location: HOME })).status).toBe(404);
    expect((await act(org.aides[0]!, org, s.id, 'check-out', { location: { lat: 40, lng: -75 } })).status).toBe(409);
    const inn = await act(org.aides[0]!, org, s.id, 'check-in', { location: { lat: 40.0003, lng: -75.0, accuracyMeters: 10 } });
    expect(inn.status).toBe(200);
    expect(inn.body).toMatchObject({ status: 'in_progress', checkIn: { withinGeofence: true }, exceptions: [] });
    expect(inn.body.checkIn.distanceMeters).toBeCloseTo(33.4, 0);
    expect(scheduler.once.has(`rsp-${s.id}-late`)).toBe(false);
    clock.set('2030-01-05T12:00:00.000Z');
    // 5 km away: recorded, never refused, with the visits' exception.
    const out = await act(org.aides[0]!, org, s.id, 'check-out', { location: { lat: 40.045, lng: -75.0 } });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ status: 'completed', checkOut: { withinGeofence: false }, exceptions: [{ code: 'out_of_geofence', on: 'check-out' }] });
    expect(await budget(org)).toMatchObject({ reservedHours: 0, usedHours: 3, remainingHours: 17 });
    expect((await act(org.family, org, s.id, 'cancel', { reason: 'late' })).status).toBe(409);
    // The EVV record, built as a visit's: the six elements; the unexplained exception keeps it from export.
    const evv = await call(org.coordinator, 'GET /patients/{patientId}/respite-sessions/{sessionId}/evv', { params: { patientId: org.a, sessionId: s.id } });
    expect(evv.status).toBe(200);
    expect(evv.body).toMatchObject({
      visitId: s.id, serviceType: 'respite', recipient: { patientId: org.a, displayName: 'Margaret' }, date: '2030-01-05', timezone: 'UTC',
      location: { lat: 40, lng: -75, address: PLACE.address }, provider: { aideId: org.aides[0]!.userId, displayName: 'Aide 0' },
      begin: '2030-01-05T09:02:00.000Z', end: '2030-01-05T12:00:00.000Z', status: 'completed', missing: ['reasonCode'],
    });
    expect((await call(org.family, 'GET /patients/{patientId}/respite-sessions/{sessionId}/evv', { params: { patientId: org.a, sessionId: s.id } })).status).toBe(403);
    // A session given only an address: checks are kept, unverifiable, and the record lacks a location.
    const bare = await request(org, '2030-01-06T09:00:00.000Z', 60, { location: { address: 'Somewhere without coordinates' } }, org.coordinator);
    const o = await offer(org, bare.body.id, org.aides[1]!.userId);
    expect((await answer(org.aides[1]!, o.body, 'accept')).status).toBe(200);
    const unverified = await act(org.aides[1]!, org, bare.body.id, 'check-in', { location: HOME, reasonCode: 'gps_unavailable' });
    expect(unverified.body).toMatchObject({ checkIn: { distanceMeters: null, withinGeofence: false }, exceptions: [{ code: 'out_of_geofence', reasonCode: 'gps_unavailable' }] });
    const bareEvv = await call(org.coordinator, 'GET /patients/{patientId}/respite-sessions/{sessionId}/evv', { params: { patientId: org.a, sessionId: bare.body.id } });
    expect(bareEvv.body).toMatchObject({ location: { lat: null, lng: null }, missing: ['location', 'end'] });
    clock.set('2030-01-01T12:00:00.000Z');
  });
});

describe('notices', () => {
  it('remind the requester and the aide of confirmed sessions only, never after a cancellation; a late session alerts', async () => {
    const org = await newOrg(2, 50);
    const s = await request(org, '2030-01-08T09:00:00.000Z', 120);
    const o = await offer(org, s.body.id, org.aides[0]!.userId);
    await answer(org.aides[0]!, o.body, 'accept');
    const r24 = scheduler.once.get(`rsp-${s.body.id}-24h`)!;
    expect(r24.at).toBe('2030-01-07T09:00:00.000Z');
    clock.set(r24.at);
    await work.onReminder(fire(r24));
    await work.onReminder(fire(r24)); // replay: one notice
    const notice = await item(PatientKeys.partition(org.orgId, org.a), `RESPITE#${s.body.id}#NOTICE#24h`);
    expect(notice).toMatchObject({ entityType: 'RespiteReminder', recipientIds: [org.family.userId, org.aides[0]!.userId], updatedBy: 'scheduler' });
    // The late check: not checked in 15 minutes after start.
    const late = scheduler.once.get(`rsp-${s.body.id}-late`)!;
    clock.set(late.at);
    await work.onLate(fire(late));
    expect(await item(PatientKeys.partition(org.orgId, org.a), `RESPITE#${s.body.id}`)).toMatchObject({ lateNotifiedAt: late.at, version: 2, auditAction: 'late' });

    // A cancelled session: its notices are removed, and a fire that survived sends nothing.
    clock.set('2030-01-01T12:00:00.000Z');
    const t = await request(org, '2030-01-09T09:00:00.000Z', 120);
    const o2 = await offer(org, t.body.id, org.aides[1]!.userId);
    await answer(org.aides[1]!, o2.body, 'accept');
    const t1h = scheduler.once.get(`rsp-${t.body.id}-1h`)!;
    const cancel = await act(org.family, org, t.body.id, 'cancel', { reason: 'Not needed' });
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancellation: 'released' });
    expect([...scheduler.once.keys()].filter((n) => n.startsWith(`rsp-${t.body.id}`))).toEqual([]);
    await work.onReminder(fire(t1h));
    expect(await item(PatientKeys.partition(org.orgId, org.a), `RESPITE#${t.body.id}#NOTICE#1h`)).toBeUndefined();
    expect(await budget(org)).toMatchObject({ reservedHours: 2, usedHours: 0 });
  });
});

describe('the one aide calendar', () => {
  it('holds a 72-hour session next to visits, refuses overlaps and travel clashes, and routes the aide day', async () => {
    const org = await newOrg(1, 500);
    const aide = org.aides[0]!;
    const hh = (route: string, opts: Parameters<typeof call>[2] = {}) => call(org.coordinator, route, { ...opts, fn: homeHealth });
    expect((await hh('PUT /aides/{userId}', { params: { userId: aide.userId }, body: { skills: ['personal_care'], homeBase: HOME, serviceRadiusKm: 80, availability: WEEK, timezone: 'UTC' } })).status).toBe(200);
    const visit = async (start: string, minutes: number, place = { lat: 40.0, lng: -75.0 }) => {
      const v = await hh('POST /patients/{patientId}/visits', {
        params: { patientId: org.b },
        body: { serviceType: 'personal_care', scheduledStart: start, scheduledEnd: at(start, minutes), location: { ...place, address: '5 Oak Ave' }, aideId: aide.userId },
      });
      return v;
    };
    // A visit before and one after, at the session's place.
    expect((await visit('2030-01-10T06:00:00.000Z', 60)).status).toBe(201);
    expect((await visit('2030-01-13T10:00:00.000Z', 60)).status).toBe(201);
    const long = await confirmed(org, aide, '2030-01-10T08:00:00.000Z', 72 * 60);
    expect(long).toMatchObject({ status: 'confirmed', hours: 72 });
    expect((await calendarEntries(org.orgId, aide.userId)).length).toBe(3);
    // A visit inside the session: 409; one 30 km away right after its end: too close for the travel.
    expect((await visit('2030-01-11T12:00:00.000Z', 60)).status).toBe(409);
    expect((await visit('2030-01-13T08:10:00.000Z', 60, { lat: 40.27, lng: -75.0 })).status).toBe(409);
    // Another session overlapping it: the second accept is refused on the aide's calendar.
    const s2 = await request(org, '2030-01-12T08:00:00.000Z', 120, {}, org.coordinator);
    const o2 = await offer(org, s2.body.id, aide.userId);
    const clash = await answer(aide, o2.body, 'accept');
    expect(clash.status).toBe(409);
    expect(clash.body.error.details[0].path).toBe('interval');
    expect((await getSession(org, s2.body.id)).status).toBe('requested');
    // The aide's day route lists the session (home health's GET /me/route reads every entry).
    const route = await call(aide, 'GET /me/route', { query: { date: '2030-01-10' }, fn: homeHealth });
    expect(route.status).toBe(200);
    expect(route.body.stops.map((x: { id: unknown }) => x.id)).toContain(long.id);
    expect(route.body.stops).toHaveLength(2);
  });
});
