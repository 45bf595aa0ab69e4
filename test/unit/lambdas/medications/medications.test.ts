import { DynamoDBClient, GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { careEventFromRecord } from '../../../../lambdas/events/app.js';
import { createMedicationsHandler } from '../../../../lambdas/medications/app.js';
import { DoseKeys } from '../../../../lambdas/medications/keys.js';
import { desiredSchedules } from '../../../../lambdas/medications/schedules.js';
import { createScheduledWorkHandler } from '../../../../lambdas/scheduled-work/app.js';
import { Db } from '../../../../lambdas/shared/data/db.js';
import type { Scheduler } from '../../../../lambdas/shared/scheduling/scheduler.js';
import type { Medication } from '../../../../schemas/medications.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger } from '../support/api-events.js';
import { streamRecord } from '../support/stream-records.js';
import { JOBS } from '../../../../lambdas/registry.js';
import { sentTransactItems, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const noScheduler: Scheduler = { putRecurring: vi.fn(), putOneTime: vi.fn(), delete: vi.fn() };
const db = () => new Db(new DynamoDBClient({ region: 'us-east-1' }), 'table');
beforeEach(() => ddb.reset());

describe('dose ids', () => {
  it('are derived from the due time and the medication, and parse back', () => {
    const id = DoseKeys.id('2026-01-10T13:00:00Z', '01JABCDEFGHJKMNPQRSTVWXYZ0');
    expect(id).toBe('20260110T130000000Z_01JABCDEFGHJKMNPQRSTVWXYZ0');
    expect(DoseKeys.parseId(id)).toEqual({ scheduledFor: '2026-01-10T13:00:00.000Z', medicationId: '01JABCDEFGHJKMNPQRSTVWXYZ0' });
    expect(DoseKeys.parseId('20261310T130000000Z_x')).toBeUndefined(); // month 13
    expect(DoseKeys.parseId('not-a-dose')).toBeUndefined();
  });
});

describe('desired schedules', () => {
  const med = (over: Partial<Medication> = {}): Medication => ({
    id: 'M1', patientId: 'P1', name: 'n', dosage: 'd', graceMinutes: 60, status: 'active', version: 1, createdAt: '', updatedAt: '',
    schedule: { times: ['08:00', '20:30'], timezone: 'America/New_York', startDate: '2026-01-01', endDate: '2026-01-31' },
    ...over,
  });
  it('is one recurring schedule per slot while active and not ended; none otherwise', () => {
    const now = new Date('2026-01-15T00:00:00Z');
    expect(desiredSchedules('o', med(), now).map((s) => [s.name, s.cron])).toEqual([
      ['med-M1-0800', { hour: 8, minute: 0 }],
      ['med-M1-2030', { hour: 20, minute: 30 }],
    ]);
    expect(desiredSchedules('o', med({ status: 'paused' }), now)).toEqual([]);
    expect(desiredSchedules('o', med({ schedule: { asNeeded: true, maxDosesPerDay: 2 } }), now)).toEqual([]);
    // The end date's last local minute is 2026-02-01T04:59Z.
    expect(desiredSchedules('o', med(), new Date('2026-02-01T05:00:00Z'))).toEqual([]);
    expect(desiredSchedules('o', med(), new Date('2026-02-01T04:59:00Z'))).toHaveLength(2);
  });
});

describe('dose events', () => {
  const dose = { PK: 'ORG#o#PAT#p', SK: 'DOSE#x', entityType: 'Dose', orgId: 'o', patientId: 'p', id: 'd1', version: 1, updatedAt: '2026-01-01T00:00:00Z', updatedBy: 'scheduler' };
  const typeOf = (spec: Parameters<typeof streamRecord>[0]) => careEventFromRecord(streamRecord(spec))?.type;
  it('are DoseDue on a slot dose, DoseMissed when it turns missed, DoseConfirmed when confirmed', () => {
    expect(typeOf({ eventName: 'INSERT', seq: '1', newImage: { ...dose, status: 'due', asNeeded: false } })).toBe('DoseDue');
    expect(typeOf({ eventName: 'INSERT', seq: '2', newImage: { ...dose, status: 'taken', asNeeded: true } })).toBe('DoseLogged');
    expect(typeOf({ eventName: 'MODIFY', seq: '3', oldImage: { ...dose, status: 'due' }, newImage: { ...dose, status: 'missed' } })).toBe('DoseMissed');
    expect(typeOf({ eventName: 'MODIFY', seq: '4', oldImage: { ...dose, status: 'missed' }, newImage: { ...dose, status: 'taken', late: true } })).toBe('DoseConfirmed');
    const missed = careEventFromRecord(streamRecord({ eventName: 'MODIFY', seq: '5', oldImage: { ...dose, status: 'due' }, newImage: { ...dose, status: 'missed' } }))!;
    expect(missed).toMatchObject({ patientId: 'p', entityType: 'Dose', entityId: 'd1', data: { actorId: 'scheduler', changedFields: ['status'] } });
  });
});

describe('as-needed limit', () => {
  it('answers 409 when the day counter condition fails, and writes counter and dose in one transaction', async () => {
    ddb.on(GetItemCommand).resolves({
      Item: wire({ entityType: 'Medication', id: 'M1', patientId: 'P1', name: 'n', dosage: 'd', status: 'active', graceMinutes: 60, version: 1, schedule: { asNeeded: true, maxDosesPerDay: 2, timezone: 'America/New_York' } }),
    });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
    );
    const handler = createMedicationsHandler({ db: db(), scheduler: noScheduler, clock: fixedClock('2026-01-15T12:00:00Z'), logger: silentLogger() });
    const res = await handler(
      apiEvent({
        route: 'POST /patients/{patientId}/doses',
        pathParameters: { patientId: 'P1' },
        caller: { userId: 'u1', orgId: 'o', roles: ['coordinator'] },
        body: { medicationId: 'M1', takenAt: '2026-01-15T04:30:00Z', reason: 'Pain' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(409);
    expect(bodyOf(res).error.code).toBe('conflict');
    const items = sentTransactItems(ddb);
    // 04:30Z is 23:30 on the 14th in New York: that day's counter.
    expect(items[0]!.Update).toMatchObject({
      Key: { PK: 'ORG#o#PAT#P1', SK: 'PRN#M1#2026-01-14' },
      ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
      ExpressionAttributeValues: expect.objectContaining({ ':max': 2, ':one': 1 }),
    });
    expect(items[1]!.Put).toMatchObject({ Item: { SK: 'DOSE#2026-01-15T04:30:00.000Z#M1', status: 'taken', asNeeded: true }, ConditionExpression: 'attribute_not_exists(PK)' });
  });
});

describe('scheduled-work dispatch', () => {
  it('ignores an unknown kind or a payload without a scheduled time (retrying cannot fix it)', async () => {
    const work = createScheduledWorkHandler({ db: db(), scheduler: noScheduler, clock: fixedClock('2026-01-01T00:00:00Z'), logger: silentLogger() }, JOBS);
    await expect(work({ kind: 'nope', scheduleName: 'x', scheduledTime: '2026-01-01T00:00:00Z' })).resolves.toBeUndefined();
    await expect(work({ kind: 'dose-slot', scheduleName: 'x', scheduledTime: 'garbage' })).resolves.toBeUndefined();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('drops a payload that does not pass its kind\'s schema, before any read', async () => {
    const work = createScheduledWorkHandler({ db: db(), scheduler: noScheduler, clock: fixedClock('2026-01-01T00:00:00Z'), logger: silentLogger() }, JOBS);
    // A dose slot without its medication, and one whose time is a number.
    await expect(work({ kind: 'dose-slot', orgId: 'o', patientId: 'p', time: '08:00', scheduleName: 'x', scheduledTime: '2026-01-01T00:00:00Z' })).resolves.toBeUndefined();
    await expect(work({ kind: 'dose-slot', orgId: 'o', patientId: 'p', medicationId: 'm', time: 800, scheduleName: 'x', scheduledTime: '2026-01-01T00:00:00Z' })).resolves.toBeUndefined();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('dispatches on kind to an extra job', async () => {
    const job = vi.fn(async () => undefined);
    const work = createScheduledWorkHandler({ db: db(), scheduler: noScheduler, clock: fixedClock('2026-01-01T00:00:00Z'), logger: silentLogger() }, JOBS, { 'custom-kind': job });
    await work({ kind: 'custom-kind', scheduleName: 'c-1', scheduledTime: '2026-01-01T00:00:00Z' });
    expect(job).toHaveBeenCalledWith({ kind: 'custom-kind', scheduleName: 'c-1', scheduledTime: '2026-01-01T00:00:00Z' });
  });

  it('refuses an extra job under a kind a domain already declares', () => {
    expect(() =>
      createScheduledWorkHandler({ db: db(), scheduler: noScheduler, clock: fixedClock('2026-01-01T00:00:00Z'), logger: silentLogger() }, JOBS, { 'dose-slot': vi.fn(async () => undefined) }),
    ).toThrow(/dose-slot is declared twice/);
  });
});
