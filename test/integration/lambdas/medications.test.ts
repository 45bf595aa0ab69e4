/**
 * Medication adherence on a real DynamoDB Local table: the medications function driven with API
 * Gateway events and the scheduled-work function driven with schedule payloads, both with a
 * recording scheduler in place of EventBridge Scheduler.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityRepository } from '../../../lambdas/identity/repository.js';
import { IdentityService } from '../../../lambdas/identity/service.js';
import { createMedicationsHandler } from '../../../lambdas/medications/app.js';
import { createScheduledWorkHandler } from '../../../lambdas/scheduled-work/app.js';
import { AccessPolicy } from '../../../lambdas/shared/auth/policy.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import { JOBS } from '../../../lambdas/registry.js';

/** EventBridge Scheduler stand-in: what exists, by name; optionally failing puts. */
class RecordingScheduler implements Scheduler {
  readonly recurring = new Map<string, RecurringSchedule>();
  readonly once = new Map<string, OneTimeSchedule>();
  failPuts = false;
  async putRecurring(s: RecurringSchedule) {
    if (this.failPuts) throw new Error('scheduler unavailable');
    this.recurring.set(s.name, s);
  }
  async putOneTime(s: OneTimeSchedule) {
    this.once.set(s.name, s);
  }
  async delete(name: string) {
    this.recurring.delete(name);
    this.once.delete(name);
  }
}

let table: TestTable;
let db: Db;
let api: ApiHandler;
let work: (p: FiredPayload) => Promise<void>;
const scheduler = new RecordingScheduler();
const clock = manualClock('2026-02-02T12:00:00.000Z');
const orgId = `org-${randomUUID().slice(0, 8)}`;
let patientId: string;
const coordinator: TestCaller = { userId: 'coord-1', orgId, roles: ['coordinator'] };
const aide: TestCaller = { userId: 'aide-1', orgId, roles: ['aide'] };

const call = async (caller: TestCaller, route: string, pathParameters: Record<string, string>, body?: unknown, headers?: Record<string, string>) => {
  const res = await api(apiEvent({ route, caller, pathParameters, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) }), lambdaContext());
  return { status: res.statusCode, body: bodyOf(res) };
};

beforeAll(async () => {
  table = await createTestTable('medications-it');
  db = new Db(table.client, table.tableName);
  const people = new IdentityRepository(db);
  const ctx = { orgId, actorId: 'system', actorRoles: ['admin'], requestId: 'seed', source: 'system' as const, now: clock.now().toISOString() };
  const identity = new IdentityService(people, new AccessPolicy(people, people), { createLogin: async () => ({ userId: 'x' }), deleteLogin: async () => undefined }, db);
  patientId = (await identity.createPatient(ctx, { displayName: 'Pat', medicalRecordNumber: 'M-1', timezone: 'America/New_York' })).id;
  await people.createUser(ctx, { userId: 'aide-1', orgId, email: 'a@x.test', displayName: 'Aide', role: 'aide', createdAt: ctx.now }, undefined, {});
  await identity.putCareTeamMember({ ...coordinator, email: '', displayName: '' }, ctx, patientId, 'aide-1', 'aide');
  api = createMedicationsHandler({ db, scheduler, clock, logger: silentLogger() });
  work = createScheduledWorkHandler({ db, scheduler, clock, logger: silentLogger() }, JOBS);
});

afterAll(async () => {
  await table?.drop();
});

describe('schedules follow the medication', () => {
  let medicationId: string;
  it('creates one recurring schedule per slot, with the slot payload', async () => {
    const res = await call(coordinator, 'POST /patients/{patientId}/medications', { patientId }, {
      name: 'Lisinopril', dosage: '10 mg', schedule: { times: ['08:00', '21:30'], daysOfWeek: ['MON', 'THU'], timezone: 'America/New_York', startDate: '2026-02-02' }, graceMinutes: 30,
    });
    expect(res.status).toBe(201);
    medicationId = res.body.id;
    const s = scheduler.recurring.get(`med-${medicationId}-2130`);
    expect(s).toMatchObject({ cron: { hour: 21, minute: 30, daysOfWeek: ['MON', 'THU'] }, timezone: 'America/New_York', startDate: '2026-02-02' });
    expect(s!.payload).toEqual({ kind: 'dose-slot', orgId, patientId, medicationId, time: '21:30' });
    expect(scheduler.recurring.has(`med-${medicationId}-0800`)).toBe(true);
  });

  it('creates nothing when the scheduler fails, so a retry starts clean', async () => {
    scheduler.failPuts = true;
    const before = scheduler.recurring.size;
    const res = await call(coordinator, 'POST /patients/{patientId}/medications', { patientId }, {
      name: 'Other', dosage: '1', schedule: { times: ['09:00'], timezone: 'UTC', startDate: '2026-02-02' },
    });
    scheduler.failPuts = false;
    expect(res.status).toBe(500);
    const list = await call(coordinator, 'GET /patients/{patientId}/medications', { patientId });
    expect(list.body.items.map((m: { name: string }) => m.name)).toEqual(['Lisinopril']);
    expect(scheduler.recurring.size).toBe(before);
  });

  it('replaces the schedules when the times change and marks a failed sync for repair', async () => {
    const res = await call(coordinator, 'PATCH /patients/{patientId}/medications/{medicationId}', { patientId, medicationId }, {
      version: 1, schedule: { times: ['09:15'], timezone: 'America/New_York', startDate: '2026-02-02' },
    });
    expect(res.status).toBe(200);
    expect([...scheduler.recurring.keys()].filter((n) => n.includes(medicationId))).toEqual([`med-${medicationId}-0915`]);

    scheduler.failPuts = true;
    const failed = await call(coordinator, 'PATCH /patients/{patientId}/medications/{medicationId}', { patientId, medicationId }, { version: 2, dosage: '20 mg' });
    scheduler.failPuts = false;
    expect(failed.status).toBe(500);
    const stored = await db.get({ PK: `ORG#${orgId}#PAT#${patientId}`, SK: `MED#${medicationId}` }, true);
    expect(stored).toMatchObject({ dosage: '20 mg', scheduleSyncFailed: true, version: 4 });
    const repaired = await call(coordinator, 'PATCH /patients/{patientId}/medications/{medicationId}', { patientId, medicationId }, { version: 4 });
    expect(repaired.status).toBe(200);
    expect((await db.get({ PK: `ORG#${orgId}#PAT#${patientId}`, SK: `MED#${medicationId}` }, true))!.scheduleSyncFailed).toBeUndefined();
  });

  it('a slot the medication no longer has creates nothing and deletes its own schedule', async () => {
    scheduler.recurring.set(`med-${medicationId}-0800`, { name: `med-${medicationId}-0800` } as RecurringSchedule);
    await work({ kind: 'dose-slot', orgId, patientId, medicationId, time: '08:00', scheduleName: `med-${medicationId}-0800`, scheduledTime: '2026-02-05T13:00:00Z' });
    expect(scheduler.recurring.has(`med-${medicationId}-0800`)).toBe(false);
    const doses = await call(coordinator, 'GET /patients/{patientId}/doses', { patientId });
    expect(doses.body.items).toEqual([]);
  });

  it('a replayed slot fire creates one dose and one check; a replayed check one alert', async () => {
    const fire = { kind: 'dose-slot', orgId, patientId, medicationId, time: '09:15', scheduleName: `med-${medicationId}-0915`, scheduledTime: '2026-02-05T14:15:00Z' };
    clock.set('2026-02-05T14:15:01.000Z');
    await Promise.all([work(fire), work(fire), work(fire)]);
    const [dose, ...more] = (await call(coordinator, 'GET /patients/{patientId}/doses', { patientId })).body.items;
    expect(more).toEqual([]);
    expect(dose).toMatchObject({ medicationId, scheduledFor: '2026-02-05T14:15:00.000Z', status: 'due', late: false });
    const check = scheduler.once.get(`miss-${dose.id}`)!;
    expect(check.at).toBe('2026-02-05T14:45:00.000Z'); // + graceMinutes 30
    clock.set('2026-02-05T14:45:00.000Z');
    const fired = { ...(check.payload as FiredPayload), scheduleName: check.name, scheduledTime: '2026-02-05T14:45:00Z' };
    await Promise.all([work(fired), work(fired)]);
    const alerts = (await call(coordinator, 'GET /patients/{patientId}/alerts', { patientId })).body.items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ doseId: dose.id, medicationId, scheduledFor: dose.scheduledFor });
    const after = await db.get({ PK: `ORG#${orgId}#PAT#${patientId}`, SK: `DOSE#2026-02-05T14:15:00.000Z#${medicationId}` }, true);
    expect(after).toMatchObject({ status: 'missed', version: 2, updatedBy: 'scheduler', source: 'scheduler' });
    // A slot replayed after the dose was settled sets no new check.
    scheduler.once.clear();
    await work(fire);
    expect(scheduler.once.size).toBe(0);
  });

  it('a slot fire replayed after its grace period checks at once instead of scheduling the past', async () => {
    clock.set('2026-02-09T20:00:00.000Z');
    await work({ kind: 'dose-slot', orgId, patientId, medicationId, time: '09:15', scheduleName: `med-${medicationId}-0915`, scheduledTime: '2026-02-09T14:15:00Z' });
    const dose = await db.get({ PK: `ORG#${orgId}#PAT#${patientId}`, SK: `DOSE#2026-02-09T14:15:00.000Z#${medicationId}` }, true);
    expect(dose!.status).toBe('missed');
    expect(scheduler.once.size).toBe(0);
  });
});

describe('as-needed daily maximum', () => {
  it('holds under parallel requests: never more than maxDosesPerDay in the local day', async () => {
    clock.set('2026-02-10T23:00:00.000Z');
    const med = await call(coordinator, 'POST /patients/{patientId}/medications', { patientId }, { name: 'Ibuprofen', dosage: '200 mg', schedule: { asNeeded: true, maxDosesPerDay: 3 } });
    expect(med.status).toBe(201);
    // 20 logs at different minutes of 10 Feb in New York (15:00Z..22:00Z), all at once.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(aide, 'POST /patients/{patientId}/doses', { patientId }, { medicationId: med.body.id, takenAt: new Date(Date.parse('2026-02-10T15:00:00Z') + i * 60_000 * 20).toISOString(), reason: 'Pain' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(17);
    const doses = await call(coordinator, 'GET /patients/{patientId}/doses', { patientId });
    expect(doses.body.items.filter((d: { medicationId: string }) => d.medicationId === med.body.id)).toHaveLength(3);
  });

  it('replays a log with the same Idempotency-Key instead of counting it twice', async () => {
    const med = await call(coordinator, 'POST /patients/{patientId}/medications', { patientId }, { name: 'Antacid', dosage: '1 tab', schedule: { asNeeded: true, maxDosesPerDay: 1 } });
    const body = { medicationId: med.body.id, takenAt: '2026-02-10T18:00:00Z', reason: 'Heartburn' };
    const first = await call(aide, 'POST /patients/{patientId}/doses', { patientId }, body, { 'idempotency-key': 'prn-1' });
    const again = await call(aide, 'POST /patients/{patientId}/doses', { patientId }, body, { 'idempotency-key': 'prn-1' });
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
  });

  it('refuses to log against a scheduled medication', async () => {
    const meds = (await call(coordinator, 'GET /patients/{patientId}/medications', { patientId })).body.items as Array<{ id: string; name: string }>;
    const scheduled = meds.find((m) => m.name === 'Lisinopril')!;
    const res = await call(aide, 'POST /patients/{patientId}/doses', { patientId }, { medicationId: scheduled.id, takenAt: '2026-02-10T18:00:00Z', reason: 'x' });
    expect(res.status).toBe(409);
  });
});
