/**
 * Incident deadlines against DynamoDB Local: the conditional overdue mark really holds (a replayed
 * fire writes nothing, a resolved incident is never marked) and leaves the incident's API view and
 * version alone, so the reporter's next PATCH still succeeds.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistedLivingHandler } from '../../../lambdas/assisted-living/app.js';
import { createScheduledWorkHandler } from '../../../lambdas/scheduled-work/app.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { PatientKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { FiredPayload, Scheduler } from '../../../lambdas/shared/scheduling/scheduler.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import { JOBS } from '../../../lambdas/registry.js';

let table: TestTable;
let db: Db;
let api: ApiHandler;
let work: (p: FiredPayload) => Promise<void>;
const clock = manualClock('2026-04-01T10:00:00.000Z');
const none: Scheduler = { putRecurring: async () => undefined, putOneTime: async () => undefined, delete: async () => undefined };
const orgId = `org-${randomUUID()}`;
const patientId = `pat-${randomUUID()}`;
const coordinator: TestCaller = { userId: 'coord-1', orgId, roles: ['coordinator'] };

const call = async (route: string, pathParameters: Record<string, string>, body?: unknown) => {
  const res = await api(apiEvent({ route, caller: coordinator, pathParameters, ...(body !== undefined ? { body } : {}) }), lambdaContext());
  return { status: res.statusCode, body: bodyOf(res) };
};
const report = async () => {
  const res = await call('POST /patients/{patientId}/incidents', { patientId }, { category: 'fall', severity: 'critical', details: 'd', occurredAt: clock.now().toISOString() });
  expect(res.status).toBe(201);
  return res.body as { id: string; reportDueBy: string; version: number };
};
const fire = (incidentId: string, scheduledTime: string): FiredPayload => ({ kind: 'incident-deadline', orgId, patientId, incidentId, scheduleName: `inc-${incidentId}`, scheduledTime });
const stored = async (incidentId: string) => db.get({ PK: PatientKeys.partition(orgId, patientId), SK: `INC#${incidentId}` }, true);

beforeAll(async () => {
  table = await createTestTable('incident-deadlines-it');
  db = new Db(table.client, table.tableName);
  await db.putItem({ ...PatientKeys.key(orgId, patientId), entityType: 'Patient', id: patientId, orgId });
  api = createAssistedLivingHandler({ db, clock, logger: silentLogger() });
  work = createScheduledWorkHandler({ db, scheduler: none, clock, logger: silentLogger() }, JOBS);
});

afterAll(async () => {
  await table?.drop();
});

describe('the overdue mark on a real table', () => {
  it('marks an open incident once; a replayed fire changes nothing; the version and the API view stay', async () => {
    const incident = await report();
    const due = new Date(Date.parse(incident.reportDueBy) + 60_000).toISOString();
    clock.set(due);
    await work(fire(incident.id, due));
    const first = await stored(incident.id);
    expect(first).toMatchObject({ overdueNotifiedAt: due, auditAction: 'report_overdue', updatedBy: 'scheduler', source: 'scheduler', version: 1 });
    clock.set(new Date(Date.parse(due) + 5 * 60_000).toISOString());
    await work(fire(incident.id, due));
    expect(await stored(incident.id)).toEqual(first);
    const listed = await call('GET /patients/{patientId}/incidents', { patientId });
    const view = listed.body.items.find((i: { id: unknown }) => i.id === incident.id);
    expect(view).toMatchObject({ version: 1, overdue: true, status: 'open' });
    expect(view).not.toHaveProperty('overdueNotifiedAt');
    expect((await call('PATCH /patients/{patientId}/incidents/{incidentId}', { patientId, incidentId: incident.id }, { version: 1, status: 'resolved', resolution: 'r' })).status).toBe(200);
    expect(await stored(incident.id)).not.toHaveProperty('auditAction', 'report_overdue');
  });

  it('never marks an incident resolved before the fire', async () => {
    clock.set('2026-04-02T10:00:00.000Z');
    const incident = await report();
    expect((await call('PATCH /patients/{patientId}/incidents/{incidentId}', { patientId, incidentId: incident.id }, { version: 1, status: 'resolved', resolution: 'r' })).status).toBe(200);
    const due = new Date(Date.parse(incident.reportDueBy) + 60_000).toISOString();
    clock.set(due);
    await work(fire(incident.id, due));
    expect(await stored(incident.id)).not.toHaveProperty('overdueNotifiedAt');
  });
});
