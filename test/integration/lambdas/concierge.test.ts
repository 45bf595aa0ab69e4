/**
 * Medical concierge on a real DynamoDB Local table: the concierge function driven with API Gateway
 * events, the scheduled-work function with schedule payloads, a recording scheduler in place of
 * EventBridge Scheduler. The booking invariants are checked under real parallel transactions.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConciergeHandler } from '../../../lambdas/concierge/app.js';
import { IdentityRepository } from '../../../lambdas/identity/repository.js';
import { IdentityService } from '../../../lambdas/identity/service.js';
import { createScheduledWorkHandler } from '../../../lambdas/scheduled-work/app.js';
import { AccessPolicy } from '../../../lambdas/shared/auth/policy.js';
import { Db, type TransactParts } from '../../../lambdas/shared/data/db.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import { JOBS } from '../../../lambdas/registry.js';

class RecordingScheduler implements Scheduler {
  readonly once = new Map<string, OneTimeSchedule>();
  async putRecurring(_s: RecurringSchedule) {
    throw new Error('the concierge sets one-time schedules only');
  }
  async putOneTime(s: OneTimeSchedule) {
    this.once.set(s.name, s);
  }
  async delete(name: string) {
    this.once.delete(name);
  }
  of(id: string) {
    return [...this.once.keys()].filter((n) => n.includes(id)).sort();
  }
}

let table: TestTable;
let db: Db;
let api: ApiHandler;
let work: (p: FiredPayload) => Promise<void>;
let people: IdentityRepository;
const scheduler = new RecordingScheduler();
const NOW = '2027-01-04T08:00:00.000Z'; // a Monday
const clock = manualClock(NOW);
const orgId = `org-${randomUUID().slice(0, 8)}`;
const admin: TestCaller = { userId: 'admin-1', orgId, roles: ['admin'] };
const coordinator: TestCaller = { userId: 'coord-1', orgId, roles: ['coordinator'] };
const prov1: TestCaller = { userId: 'prov-1', orgId, roles: ['clinician'] };
const prov2: TestCaller = { userId: 'prov-2', orgId, roles: ['clinician'] };
const aide: TestCaller = { userId: 'aide-1', orgId, roles: ['aide'] };
const family: TestCaller = { userId: 'fam-1', orgId, roles: ['family'] };
const patients: string[] = [];
let patientLogin: TestCaller;
const day = (d: number, hhmm: string) => `2027-01-${String(d).padStart(2, '0')}T${hhmm}:00.000Z`;
const ALL_DAY = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '24:00']]]));

const call = async (caller: TestCaller, route: string, pathParameters: Record<string, string>, body?: unknown, query?: Record<string, string>) => {
  const res = await api(apiEvent({ route, caller, pathParameters, ...(body !== undefined ? { body } : {}), ...(query ? { query } : {}) }), lambdaContext());
  return { status: res.statusCode, body: bodyOf(res) };
};
const book = (caller: TestCaller, patientId: string, body: Record<string, unknown>) =>
  call(caller, 'POST /patients/{patientId}/appointments', { patientId }, body);
const act = (caller: TestCaller, patientId: string, appointmentId: string, action: string, body?: unknown) =>
  call(caller, `POST /patients/{patientId}/appointments/{appointmentId}/${action}`, { patientId, appointmentId }, body);
const slots = async (providerId: string, from: string, to: string) =>
  (await call(coordinator, 'GET /providers/{providerId}/slots', { providerId }, undefined, { from, to, limit: '100' })).body.items.map((s: { startAt: string }) => s.startAt) as string[];

beforeAll(async () => {
  table = await createTestTable('concierge-it');
  db = new Db(table.client, table.tableName);
  people = new IdentityRepository(db);
  const ctx = { orgId, actorId: 'system', actorRoles: ['admin'], requestId: 'seed', source: 'system' as const, now: NOW };
  const identity = new IdentityService(people, new AccessPolicy(people, people), { createLogin: async () => ({ userId: 'x' }), deleteLogin: async () => undefined }, db);
  for (let i = 0; i < 9; i++) patients.push((await identity.createPatient(ctx, { displayName: `Pat ${i}`, medicalRecordNumber: `M-${i}` })).id);
  patientLogin = { userId: 'pat-login', orgId, roles: ['patient'], patientId: patients[0]! };
  for (const [userId, role] of [['prov-1', 'clinician'], ['prov-2', 'clinician'], ['aide-1', 'aide'], ['fam-1', 'family']] as const) {
    await people.createUser(ctx, { userId, orgId, email: `${userId}@x.test`, displayName: userId, role, createdAt: NOW }, undefined, {});
  }
  const staff = { ...coordinator, email: '', displayName: '' };
  await identity.putCareTeamMember(staff, ctx, patients[0]!, 'fam-1', 'family');
  await identity.putCareTeamMember(staff, ctx, patients[0]!, 'aide-1', 'aide');
  api = createConciergeHandler({ db, scheduler, clock, logger: silentLogger() });
  work = createScheduledWorkHandler({ db, scheduler, clock, logger: silentLogger() }, JOBS);
  for (const [userId, bufferMinutes] of [['prov-1', 10], ['prov-2', 0]] as const) {
    const res = await call(admin, 'POST /providers', {}, { userId, specialty: 'General practice', timezone: 'UTC', availability: ALL_DAY, slotMinutes: 30, bufferMinutes });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await table?.drop();
});

describe('providers', () => {
  it('has one profile per clinician user; bad availability is a 400 naming the field', async () => {
    const again = await call(admin, 'POST /providers', {}, { userId: 'prov-1', specialty: 'GP', timezone: 'UTC', availability: {}, slotMinutes: 30 });
    expect(again.status).toBe(409);
    const notClinician = await call(admin, 'POST /providers', {}, { userId: 'aide-1', specialty: 'GP', timezone: 'UTC', availability: {}, slotMinutes: 30 });
    expect(notClinician.status).toBe(400);
    const overlapping = await call(admin, 'POST /providers', {}, {
      userId: 'prov-3', specialty: 'GP', timezone: 'UTC', availability: { WED: [['09:00', '12:00'], ['11:30', '13:00']] }, slotMinutes: 30,
    });
    expect(overlapping.status).toBe(400);
    expect(overlapping.body.error.details.map((d: { path: string }) => d.path).join()).toContain('availability.WED');
    expect((await call(coordinator, 'POST /providers', {}, { userId: 'prov-1' })).status).toBe(403);
  });

  it('lets the provider change their own profile, not another clinician', async () => {
    const current = (await call(prov2, 'GET /providers/{providerId}', { providerId: 'prov-2' })).body;
    expect((await call(prov1, 'PATCH /providers/{providerId}', { providerId: 'prov-2' }, { version: current.version, clinic: 'X' })).status).toBe(403);
    const res = await call(prov2, 'PATCH /providers/{providerId}', { providerId: 'prov-2' }, { version: current.version, clinic: 'Harbour clinic' });
    expect(res.status).toBe(200);
    expect((await call(prov2, 'PATCH /providers/{providerId}', { providerId: 'prov-2' }, { version: current.version, clinic: 'Y' })).status).toBe(409);
  });
});

describe('booking', () => {
  it('books a free slot, puts the provider on the care team, and sets two notices', async () => {
    const patientId = patients[1]!;
    expect(await people.isCareTeamMember(orgId, patientId, 'prov-1')).toBe(false);
    const res = await book(coordinator, patientId, { providerId: 'prov-1', startAt: day(6, '10:00'), durationMinutes: 30, location: 'video' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'booked', startAt: day(6, '10:00'), endAt: day(6, '10:30'), providerId: 'prov-1', patientId });
    const member = (await people.listCareTeam(orgId, patientId)).find((m) => m.userId === 'prov-1');
    expect(member?.relationship).toBe('clinician');
    const names = scheduler.of(res.body.id);
    expect(names).toEqual([`appt-${res.body.id}-20270106T1000-1h`, `appt-${res.body.id}-20270106T1000-24h`]);
    expect(scheduler.once.get(names[1]!)!.at).toBe(day(5, '10:00'));
    // The buffer (10 minutes) keeps the neighbouring slots free of bookings.
    const free = await slots('prov-1', day(6, '09:00'), day(6, '11:30'));
    expect(free).toEqual([day(6, '09:00'), day(6, '11:00')]);
    const close = await book(coordinator, patients[2]!, { providerId: 'prov-1', startAt: day(6, '10:30') });
    expect(close.status).toBe(409);
    expect(close.body.error.details).toEqual([{ path: 'interval', message: `${day(6, '10:00')}/${day(6, '10:30')}` }]);
  });

  it('refuses a time that is not a slot unless staff override; an override never overlaps', async () => {
    const offGrid = await book(family, patients[0]!, { providerId: 'prov-2', startAt: day(6, '10:10') });
    expect(offGrid.status).toBe(409);
    const tooSoon = await book(family, patients[0]!, { providerId: 'prov-2', startAt: '2027-01-04T08:30:00.000Z' });
    expect(tooSoon.status).toBe(409);
    expect((await book(family, patients[0]!, { providerId: 'prov-2', startAt: '2027-01-04T08:30:00.000Z', override: true })).status).toBe(403);
    const override = await book(coordinator, patients[3]!, { providerId: 'prov-2', startAt: '2027-01-04T08:10:00.000Z', override: true, durationMinutes: 30 });
    expect(override.status).toBe(201);
    const over = await book(coordinator, patients[4]!, { providerId: 'prov-2', startAt: '2027-01-04T08:30:00.000Z', override: true });
    expect(over.status).toBe(409);
    expect(over.body.error.details[0].path).toBe('interval');
    expect((await book(family, patients[0]!, { providerId: 'prov-2', startAt: day(7, '10:00'), durationMinutes: 45 })).status).toBe(400);
  });

  it('writes nothing for a refused request', async () => {
    const before = scheduler.once.size;
    const res = await book(aide, patients[5]!, { providerId: 'prov-2', startAt: day(8, '10:00') }); // not on that team
    expect(res.status).toBe(404);
    expect(scheduler.once.size).toBe(before);
    expect((await slots('prov-2', day(8, '10:00'), day(8, '10:30')))).toEqual([day(8, '10:00')]);
    expect((await book(coordinator, patients[5]!, { providerId: 'nobody', startAt: day(8, '10:00') })).status).toBe(404);
  });

  it('lets exactly one of many parallel overlapping bookings win', async () => {
    // Every request covers 12:00-12:30 on the 11th, in a different shape and for several patients.
    const shapes = [['11:00', 90], ['11:30', 60], ['12:00', 30], ['12:00', 60], ['11:30', 120], ['12:00', 90]] as const;
    const requests = Array.from({ length: 24 }, (_, i) => {
      const [start, durationMinutes] = shapes[i % shapes.length]!;
      return book(coordinator, patients[i % 4 + 2]!, { providerId: 'prov-2', startAt: day(11, start), durationMinutes });
    });
    const answers = await Promise.all(requests);
    const won = answers.filter((a) => a.status === 201);
    const lost = answers.filter((a) => a.status === 409);
    console.log(`[figures] concierge: ${answers.length} raced, ${won.length} won`);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(answers.length - 1);
    for (const l of lost) expect(l.body.error).toMatchObject({ code: 'conflict', details: [{ path: 'interval', message: `${won[0]!.body.startAt}/${won[0]!.body.endAt}` }] });
    const listed = (await call(prov2, 'GET /providers/{providerId}/appointments', { providerId: 'prov-2' }, undefined, { from: day(11, '00:00'), to: day(12, '00:00') })).body.items;
    expect(listed.map((a: { id: string }) => a.id)).toEqual([won[0]!.body.id]);
  });

  it('never double-books a patient across two providers, also in parallel', async () => {
    const patientId = patients[6]!;
    expect((await book(coordinator, patientId, { providerId: 'prov-1', startAt: day(12, '10:00'), durationMinutes: 60 })).status).toBe(201);
    const clash = await book(coordinator, patientId, { providerId: 'prov-2', startAt: day(12, '10:30') });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toEqual([{ path: 'interval', message: `${day(12, '10:00')}/${day(12, '11:00')}` }]);
    const parallel = await Promise.all([
      book(coordinator, patientId, { providerId: 'prov-1', startAt: day(13, '10:00'), durationMinutes: 60 }),
      book(coordinator, patientId, { providerId: 'prov-2', startAt: day(13, '10:30'), durationMinutes: 60 }),
    ]);
    expect(parallel.map((a) => a.status).sort()).toEqual([201, 409]);
  });

  it('replays a booking with the same Idempotency-Key', async () => {
    const send = () => api(apiEvent({ route: 'POST /patients/{patientId}/appointments', caller: coordinator, pathParameters: { patientId: patients[7]! }, headers: { 'Idempotency-Key': 'k-appt-1' }, body: { providerId: 'prov-2', startAt: day(14, '09:00') } }), lambdaContext());
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(bodyOf(a).id).toBe(bodyOf(b).id);
    const list = (await call(coordinator, 'GET /patients/{patientId}/appointments', { patientId: patients[7]! })).body.items;
    expect(list.filter((x: { startAt: string }) => x.startAt === day(14, '09:00'))).toHaveLength(1);
  });
});

describe('the provider joining the care team', () => {
  it('books once when someone puts the provider on the care team between the check and the booking', async () => {
    const patientId = patients[8]!;
    const startAt = day(18, '09:00');
    const provider = (await people.getUser(orgId, 'prov-2'))!;
    const racer = { orgId, actorId: 'racer', actorRoles: ['coordinator'], requestId: 'race', source: 'api' as const, now: NOW };
    let joins = 0;
    // The first booking transaction that carries the link: another request writes the link just before it.
    class RacingDb extends Db {
      override async transact(parts: TransactParts, attempts?: number): Promise<void> {
        if ('careTeamJoin' in parts && joins++ === 0) await people.putCareTeamMember(racer, patientId, provider, 'clinician');
        return super.transact(parts, attempts);
      }
    }
    const racing = createConciergeHandler({ db: new RacingDb(table.client, table.tableName), scheduler, clock, logger: silentLogger() });
    const res = await racing(apiEvent({ route: 'POST /patients/{patientId}/appointments', caller: admin, pathParameters: { patientId }, body: { providerId: 'prov-2', startAt } }), lambdaContext());
    expect(res.statusCode).toBe(201);
    expect(joins).toBe(1);
    const links = (await people.listCareTeam(orgId, patientId)).filter((m) => m.userId === 'prov-2');
    expect(links.map((m) => [m.relationship, m.addedBy])).toEqual([['clinician', 'racer']]);
    const list = (await call(coordinator, 'GET /patients/{patientId}/appointments', { patientId })).body.items as Array<{ id: string; startAt: string }>;
    expect(list.map((a) => a.startAt)).toEqual([startAt]);
    expect(scheduler.of(list[0]!.id)).toHaveLength(2);
  });
});

describe('reschedule, cancel, notices', () => {
  it('moves in one step: a reschedule racing a booking for the same time, exactly one wins', async () => {
    const patientId = patients[2]!;
    const a = (await book(coordinator, patientId, { providerId: 'prov-2', startAt: day(15, '09:00') })).body;
    const [moved, other] = await Promise.all([
      act(coordinator, patientId, a.id, 'reschedule', { startAt: day(15, '14:00') }),
      book(coordinator, patients[3]!, { providerId: 'prov-2', startAt: day(15, '14:00') }),
    ]);
    expect([200, 409]).toContain(moved.status);
    expect([201, 409]).toContain(other.status);
    expect([moved.status === 200, other.status === 201].filter(Boolean)).toHaveLength(1);
    const stored = (await call(coordinator, 'GET /patients/{patientId}/appointments/{appointmentId}', { patientId, appointmentId: a.id })).body;
    const free = await slots('prov-2', day(15, '09:00'), day(15, '09:30'));
    if (moved.status === 200) {
      expect(stored.startAt).toBe(day(15, '14:00'));
      expect(free).toEqual([day(15, '09:00')]); // the old time is free
      expect(scheduler.of(a.id)).toEqual([`appt-${a.id}-20270115T1400-1h`, `appt-${a.id}-20270115T1400-24h`]);
    } else {
      expect(moved.status).toBe(409);
      expect(stored.startAt).toBe(day(15, '09:00')); // nothing changed
      expect(free).toEqual([]);
      expect(scheduler.of(a.id)).toEqual([`appt-${a.id}-20270115T0900-1h`, `appt-${a.id}-20270115T0900-24h`]);
    }
  });

  it('sends a notice only for the start it was made for, once; none after cancel', async () => {
    const patientId = patients[0]!;
    const a = (await book(patientLogin, patientId, { providerId: 'prov-1', startAt: day(20, '15:00') })).body;
    expect(a.status).toBe('booked');
    const oldNotice = scheduler.once.get(`appt-${a.id}-20270120T1500-24h`)!;
    const moved = await act(family, patientId, a.id, 'reschedule', { startAt: day(21, '15:00') });
    expect(moved.status).toBe(200);
    expect(scheduler.of(a.id)).toHaveLength(2);
    const read = async () => (await db.get({ PK: `ORG#${orgId}#PAT#${patientId}`, SK: `APPT#${a.id}` }, true))!;
    // The old start's notice fires anyway (a removal that failed): nothing is marked.
    await work({ ...oldNotice.payload, scheduleName: oldNotice.name, scheduledTime: oldNotice.at });
    expect((await read()).notice24hFor).toBeUndefined();
    const notice = scheduler.once.get(`appt-${a.id}-20270121T1500-24h`)!;
    await work({ ...notice.payload, scheduleName: notice.name, scheduledTime: notice.at });
    const marked = await read();
    expect(marked.notice24hFor).toBe(day(21, '15:00'));
    await work({ ...notice.payload, scheduleName: notice.name, scheduledTime: notice.at }); // replay
    expect((await read()).updatedAt).toBe(marked.updatedAt);
    // Cancel frees the time at once and removes the notices; a late fire sends nothing.
    const oneHour = scheduler.once.get(`appt-${a.id}-20270121T1500-1h`)!;
    expect((await act(aide, patientId, a.id, 'cancel', { reason: 'x' })).status).toBe(403);
    const cancelled = await act(family, patientId, a.id, 'cancel', { reason: 'Feeling better' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledBy: 'fam-1', cancelReason: 'Feeling better' });
    expect(scheduler.of(a.id)).toEqual([]);
    expect(await slots('prov-1', day(21, '15:00'), day(21, '15:30'))).toEqual([day(21, '15:00')]);
    await work({ ...oneHour.payload, scheduleName: oneHour.name, scheduledTime: oneHour.at });
    expect((await read()).notice1hFor).toBeUndefined();
    expect((await act(family, patientId, a.id, 'cancel', { reason: 'again' })).status).toBe(409);
  });

  it('lets staff reschedule outside availability with override, never over another appointment', async () => {
    const patientId = patients[5]!;
    const a = (await book(coordinator, patientId, { providerId: 'prov-2', startAt: day(22, '09:00') })).body;
    const b = (await book(coordinator, patients[6]!, { providerId: 'prov-2', startAt: day(22, '10:00') })).body;
    expect((await act(coordinator, patientId, a.id, 'reschedule', { startAt: day(22, '09:50') })).status).toBe(409); // off the grid
    expect((await act(family, patientId, a.id, 'reschedule', { startAt: day(22, '09:50'), override: true })).status).toBe(404); // not on this team
    const over = await act(coordinator, patientId, a.id, 'reschedule', { startAt: day(22, '09:50'), override: true });
    expect(over.status).toBe(409);
    expect(over.body.error.details).toEqual([{ path: 'interval', message: `${b.startAt}/${b.endAt}` }]);
    const moved = await act(coordinator, patientId, a.id, 'reschedule', { startAt: day(22, '09:25'), override: true });
    expect(moved.body).toMatchObject({ startAt: day(22, '09:25'), endAt: day(22, '09:55'), rescheduledBy: 'coord-1' });
  });

  it('checks in, completes and records no-shows only from the right status and time, by the right people', async () => {
    const patientId = patients[4]!;
    const a = (await book(coordinator, patientId, { providerId: 'prov-2', startAt: day(5, '10:00') })).body;
    expect((await act(prov2, patientId, a.id, 'check-in')).status).toBe(409); // too early
    clock.set(day(5, '09:35'));
    expect((await act(prov1, patientId, a.id, 'check-in')).status).toBe(404); // not their appointment, not on the team
    expect((await act(prov2, patientId, a.id, 'complete', {})).status).toBe(409); // not checked in
    expect((await act(prov2, patientId, a.id, 'check-in')).status).toBe(200);
    expect((await act(coordinator, patientId, a.id, 'complete', {})).status).toBe(403);
    const done = await act(prov2, patientId, a.id, 'complete', { summary: 'Routine review' });
    expect(done.body).toMatchObject({ status: 'completed', completedBy: 'prov-2', summary: 'Routine review' });
    expect(scheduler.of(a.id)).toEqual([]);
    const b = (await book(coordinator, patientId, { providerId: 'prov-2', startAt: day(5, '11:00') })).body;
    expect((await act(coordinator, patientId, b.id, 'no-show')).status).toBe(409); // before the start
    clock.set(day(5, '11:05'));
    expect((await act(coordinator, patientId, b.id, 'no-show')).body.status).toBe('no_show');
    expect((await act(coordinator, patientId, b.id, 'check-in')).status).toBe(409);
    clock.set(NOW);
  });

  it('lists a patient\'s appointments soonest first from `from`, by status', async () => {
    const patientId = patients[4]!;
    const all = (await call(coordinator, 'GET /patients/{patientId}/appointments', { patientId }, undefined, { from: day(1, '00:00') })).body.items;
    expect(all.map((a: { startAt: string }) => a.startAt)).toEqual([...all.map((a: { startAt: string }) => a.startAt)].sort());
    const noShows = (await call(coordinator, 'GET /patients/{patientId}/appointments', { patientId }, undefined, { from: day(1, '00:00'), status: 'no_show' })).body.items;
    expect(noShows.map((a: { status: string }) => a.status)).toEqual(['no_show']);
    expect((await call(prov1, 'GET /providers/{providerId}/appointments', { providerId: 'prov-2' })).status).toBe(403);
  });
});

describe('treatment plans', () => {
  it('lets exactly one of parallel activations win, and frees the slot when the active plan ends', async () => {
    const patientId = patients[1]!; // prov-1 joined this team at booking
    const create = (title: string) => call(prov1, 'POST /patients/{patientId}/treatment-plans', { patientId }, { title, summary: 'Plan', startDate: '2027-01-04' });
    const plans = (await Promise.all([create('A'), create('B'), create('C')])).map((r) => r.body);
    expect(plans.map((p) => p.status)).toEqual(['draft', 'draft', 'draft']);
    const activate = (p: { id: string; version: number }) =>
      call(prov1, 'PATCH /patients/{patientId}/treatment-plans/{planId}', { patientId, planId: p.id }, { version: p.version, status: 'active' });
    const answers = await Promise.all(plans.map(activate));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'conflict')).toBe(true);
    const winner = answers.find((a) => a.status === 200)!.body;
    const done = await call(prov1, 'PATCH /patients/{patientId}/treatment-plans/{planId}', { patientId, planId: winner.id }, { version: winner.version, status: 'completed' });
    expect(done.status).toBe(200);
    expect((await call(prov1, 'PATCH /patients/{patientId}/treatment-plans/{planId}', { patientId, planId: winner.id }, { version: done.body.version, title: 'Again' })).body.error.code).toBe('invalid_transition');
    const loser = plans.find((p) => p.id !== winner.id)!;
    expect((await activate(loser)).status).toBe(200);
    const patientView = await call({ userId: 'p1', orgId, roles: ['patient'], patientId }, 'GET /patients/{patientId}/treatment-plans', { patientId });
    expect(patientView.body.items.map((p: { status: string }) => p.status).sort()).toEqual(['active', 'completed']);
  });
});

describe('lab results', () => {
  const patientId = () => patients[1]!;
  const body = { testCode: 'K', testName: 'Potassium', value: 4.2, units: 'mmol/L', referenceRange: { low: 3.5, high: 5.0 }, criticalRange: { low: 2.5, high: 6.5 }, collectedAt: NOW };

  it('never changes a final result: a correction is a new result that supersedes it', async () => {
    const original = await call(prov1, 'POST /patients/{patientId}/lab-results', { patientId: patientId() }, { ...body, status: 'final' });
    expect(original.status).toBe(201);
    expect(original.body).toMatchObject({ status: 'final', flag: 'normal', publishedAt: NOW });
    const labResultId = original.body.id;
    const fix = await call(prov1, 'POST /patients/{patientId}/lab-results/{labResultId}/correct', { patientId: patientId(), labResultId }, { ...body, value: 5.4 });
    expect(fix.status).toBe(201);
    expect(fix.body).toMatchObject({ status: 'corrected', supersedes: labResultId, value: 5.4, flag: 'high' });
    const list = (await call(coordinator, 'GET /patients/{patientId}/lab-results', { patientId: patientId() })).body.items;
    const old = list.find((r: { id: string }) => r.id === labResultId);
    expect(old).toMatchObject({ status: 'final', value: 4.2, flag: 'normal', supersededBy: fix.body.id });
    expect((await call(prov1, 'POST /patients/{patientId}/lab-results/{labResultId}/correct', { patientId: patientId(), labResultId }, body)).status).toBe(409);
    expect((await call(prov1, 'POST /patients/{patientId}/lab-results/{labResultId}/finalize', { patientId: patientId(), labResultId })).status).toBe(409);
  });

  it('shows the patient final and corrected results only, and audits every read', async () => {
    const pre = await call(prov1, 'POST /patients/{patientId}/lab-results', { patientId: patientId() }, { ...body, testCode: 'NA', status: 'preliminary' });
    expect(pre.body.publishedAt).toBeNull();
    const asPatient = (await call({ userId: 'p1', orgId, roles: ['patient'], patientId: patientId() }, 'GET /patients/{patientId}/lab-results', { patientId: patientId() })).body.items;
    expect(asPatient.some((r: { id: string }) => r.id === pre.body.id)).toBe(false);
    expect(asPatient.length).toBeGreaterThan(0);
    const fin = await call(prov1, 'POST /patients/{patientId}/lab-results/{labResultId}/finalize', { patientId: patientId(), labResultId: pre.body.id });
    expect(fin.body).toMatchObject({ status: 'final', publishedAt: NOW });
    const now = (await call({ userId: 'p1', orgId, roles: ['patient'], patientId: patientId() }, 'GET /patients/{patientId}/lab-results', { patientId: patientId() }, undefined, { testCode: 'NA' })).body.items;
    expect(now.map((r: { id: string }) => r.id)).toEqual([pre.body.id]);
    const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const reads = await DynamoDBDocumentClient.from(table.client).send(new ScanCommand({ TableName: table.tableName, FilterExpression: 'entityType = :t AND accessedEntityType = :e', ExpressionAttributeValues: { ':t': 'AccessRecord', ':e': 'LabResult' } }));
    expect(reads.Items!.length).toBeGreaterThanOrEqual(3);
  });

  it('escalates a critical result nobody acknowledged, not one that was acknowledged', async () => {
    const critical = (await call(prov1, 'POST /patients/{patientId}/lab-results', { patientId: patientId() }, { ...body, value: 7.1, status: 'final' })).body;
    expect(critical.flag).toBe('critical_high');
    const esc = scheduler.once.get(`lab-${critical.id}-esc`)!;
    expect(esc.at).toBe(new Date(Date.parse(NOW) + 30 * 60_000).toISOString());
    const ack = await call(coordinator, 'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge', { patientId: patientId(), labResultId: critical.id });
    expect(ack.body).toMatchObject({ acknowledgedBy: 'coord-1', acknowledgedAt: NOW });
    expect(scheduler.once.has(esc.name)).toBe(false);
    expect((await call(coordinator, 'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge', { patientId: patientId(), labResultId: critical.id })).status).toBe(409);
    await work({ ...esc.payload, scheduleName: esc.name, scheduledTime: esc.at });
    const alertKey = { PK: `ORG#${orgId}#PAT#${patientId()}`, SK: `LABALERT#${critical.id}` };
    expect((await db.get(alertKey, true))!.escalatedAt).toBeUndefined();
    const other = (await call(prov1, 'POST /patients/{patientId}/lab-results', { patientId: patientId() }, { ...body, value: 2.0, status: 'final' })).body;
    const esc2 = scheduler.once.get(`lab-${other.id}-esc`)!;
    await work({ ...esc2.payload, scheduleName: esc2.name, scheduledTime: esc2.at });
    expect((await db.get({ ...alertKey, SK: `LABALERT#${other.id}` }, true))!.escalatedAt).toBe(NOW);
  });
});
