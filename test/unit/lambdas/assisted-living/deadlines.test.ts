/**
 * Incident report deadlines (lambdas/assisted-living/deadline-work.ts) without a network: the
 * `incident-deadline` job through the scheduled-work dispatcher, the bus target that sets the
 * schedule, the event the mark becomes, and who is notified of it.
 */
import { DynamoDBClient, GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deadlineFireTime } from '../../../../lambdas/assisted-living/deadline-work.js';
import { careEventFromRecord } from '../../../../lambdas/events/app.js';
import { resolveRecipients } from '../../../../lambdas/notifications/rules.js';
import { JOBS, NOTIFICATION_RULES, REACTIONS } from '../../../../lambdas/registry.js';
import { createScheduledWorkBusHandler, createScheduledWorkHandler } from '../../../../lambdas/scheduled-work/app.js';
import { Db } from '../../../../lambdas/shared/data/db.js';
import type { Scheduler } from '../../../../lambdas/shared/scheduling/scheduler.js';
import { fixedClock, silentLogger } from '../support/api-events.js';
import { streamRecord } from '../support/stream-records.js';
import { sentTransactItems, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const db = () => new Db(new DynamoDBClient({ region: 'us-east-1' }), 'table');
let scheduler: { [K in keyof Scheduler]: ReturnType<typeof vi.fn> };
beforeEach(() => {
  ddb.reset();
  scheduler = { putRecurring: vi.fn(async () => undefined), putOneTime: vi.fn(async () => undefined), delete: vi.fn(async () => undefined) };
});

const KEY = { PK: 'ORG#o#PAT#P1', SK: 'INC#I1' };
const DUE = '2026-03-02T10:15:30.000Z';
const incident = (over: Record<string, unknown> = {}) => ({
  ...KEY, entityType: 'Incident', orgId: 'o', id: 'I1', patientId: 'P1', category: 'fall', severity: 'high', details: 'd',
  occurredAt: '2026-03-01T10:15:30.000Z', status: 'open', reportedBy: 'aide-1', reportedAt: '2026-03-01T10:20:00.000Z',
  reportDueBy: DUE, version: 2, createdAt: '2026-03-01T10:20:00.000Z', updatedAt: '2026-03-01T11:00:00.000Z', ...over,
});
const fire = { kind: 'incident-deadline', orgId: 'o', patientId: 'P1', incidentId: 'I1', scheduleName: 'inc-I1', scheduledTime: '2026-03-02T10:16:00Z' };
const work = (now = '2026-03-02T10:16:01.000Z') =>
  createScheduledWorkHandler({ db: db(), scheduler: scheduler as unknown as Scheduler, clock: fixedClock(now), logger: silentLogger() }, JOBS);
const bus = (now: string) =>
  createScheduledWorkBusHandler({ db: db(), scheduler: scheduler as unknown as Scheduler, clock: fixedClock(now), logger: silentLogger() }, REACTIONS);
const busEvent = (type: string, over: Record<string, unknown> = {}) => ({
  version: '0', id: 'b1', 'detail-type': type, source: 'carestack', account: '0', time: '2026-03-01T10:20:00Z', region: 'us-east-1', resources: [],
  detail: { id: 'e1', orgId: 'o', patientId: 'P1', recipientId: null, type, entityType: 'Incident', entityId: 'I1', at: '2026-03-01T10:20:00.000Z', data: '{}', ...over },
});

describe('the incident-deadline job', () => {
  it('marks a still-open incident overdue once: conditional on not resolved and not marked, audited as the scheduler, version untouched', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await work()(fire);
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { Key: wire(KEY), ConsistentRead: true });
    const update = sentTransactItems(ddb)[0]!.Update!;
    expect(update.Key).toEqual(KEY);
    expect(update.ConditionExpression).toBe('attribute_exists(PK) AND #status <> :resolved AND attribute_not_exists(#overdue)');
    const values = Object.values(update.ExpressionAttributeValues!);
    expect(update.ExpressionAttributeValues).toMatchObject({ ':resolved': 'resolved' });
    expect(values).toEqual(expect.arrayContaining(['scheduler', 'inc-I1@2026-03-02T10:16:00Z']));
    expect(update.ExpressionAttributeNames).toMatchObject({ '#overdue': 'overdueNotifiedAt' });
    // The SET clause, with its placeholders resolved (the update builder names them).
    const sets = Object.fromEntries(
      update.UpdateExpression!.replace(/^SET /, '').split(', ').map((a) => {
        const [n, v] = a.split(' = ') as [string, string];
        return [update.ExpressionAttributeNames![n], update.ExpressionAttributeValues![v]];
      }),
    );
    expect(sets).toMatchObject({ overdueNotifiedAt: '2026-03-02T10:16:01.000Z', auditAction: 'report_overdue' });
    expect(Object.values(update.ExpressionAttributeNames!)).not.toContain('version');
  });

  it('does nothing for an incident resolved before its deadline', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ status: 'resolved', resolution: 'r', resolvedAt: '2026-03-01T12:00:00.000Z', resolvedBy: 'c' })) });
    await work()(fire);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
  });

  it('a replayed fire (already marked, or resolved in between) changes nothing and does not fail', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ overdueNotifiedAt: '2026-03-02T10:16:01.000Z' })) });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
    );
    await expect(work('2026-03-02T10:30:00.000Z')(fire)).resolves.toBeUndefined();
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
  });

  it('ignores a fire before the deadline, and an unknown incident', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ reportDueBy: '2026-03-03T00:00:00.000Z' })) });
    await work()(fire);
    ddb.on(GetItemCommand).resolves({});
    await work()(fire);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
  });
});

describe('setting the deadline (bus target on incident events)', () => {
  it('fires at the first whole minute after reportDueBy (Scheduler at() has minute precision)', () => {
    expect(deadlineFireTime('2026-03-02T10:15:30.000Z')).toBe('2026-03-02T10:16:00.000Z');
    expect(deadlineFireTime('2026-03-02T10:15:00.000Z')).toBe('2026-03-02T10:16:00.000Z');
  });

  it('an incident reported with a deadline gets one one-time schedule inc-<id>', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident()) });
    await bus('2026-03-01T10:21:00.000Z')(busEvent('IncidentReported'));
    expect(scheduler.putOneTime).toHaveBeenCalledExactlyOnceWith({
      name: 'inc-I1',
      at: '2026-03-02T10:16:00.000Z',
      payload: { kind: 'incident-deadline', orgId: 'o', patientId: 'P1', incidentId: 'I1' },
    });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
  });

  it('no deadline, no schedule; a resolved incident loses its schedule; a plain update leaves it', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ reportDueBy: undefined, severity: 'low' })) });
    await bus('2026-03-01T10:21:00.000Z')(busEvent('IncidentReported'));
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ notifiedParties: ['x'] })) });
    await bus('2026-03-01T10:21:00.000Z')(busEvent('IncidentUpdated'));
    expect(scheduler.putOneTime).not.toHaveBeenCalled();
    expect(scheduler.delete).not.toHaveBeenCalled();
    ddb.on(GetItemCommand).resolves({ Item: wire(incident({ status: 'resolved' })) });
    await bus('2026-03-01T11:00:00.000Z')(busEvent('IncidentUpdated'));
    expect(scheduler.delete).toHaveBeenCalledExactlyOnceWith('inc-I1');
  });

  it('an incident reported after its deadline is checked at once instead of scheduled in the past', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire(incident()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await bus('2026-03-02T12:00:00.000Z')(busEvent('IncidentReported'));
    expect(scheduler.putOneTime).not.toHaveBeenCalled();
    const update = sentTransactItems(ddb)[0]!.Update!;
    expect(Object.values(update.ExpressionAttributeValues!)).toContain('inc-I1@2026-03-02T10:16:00.000Z');
  });

  it('ignores other events', async () => {
    await bus('2026-03-01T10:21:00.000Z')(busEvent('DoseDue', { entityType: 'Dose' }));
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('the overdue mark as an event and a notification', () => {
  const item = incident();
  const typeOf = (spec: Parameters<typeof streamRecord>[0]) => careEventFromRecord(streamRecord(spec))?.type;

  it('setting overdueNotifiedAt is IncidentReportOverdue; every other change stays IncidentReported / IncidentUpdated', () => {
    const marked = { ...item, overdueNotifiedAt: '2026-03-02T10:16:01.000Z', auditAction: 'report_overdue', updatedBy: 'scheduler' };
    expect(typeOf({ eventName: 'MODIFY', seq: '1', oldImage: item, newImage: marked })).toBe('IncidentReportOverdue');
    expect(typeOf({ eventName: 'INSERT', seq: '2', newImage: item })).toBe('IncidentReported');
    expect(typeOf({ eventName: 'MODIFY', seq: '3', oldImage: item, newImage: { ...item, status: 'investigating', version: 3 } })).toBe('IncidentUpdated');
    // A later change of a marked incident is an ordinary update, not a second overdue event.
    expect(typeOf({ eventName: 'MODIFY', seq: '4', oldImage: marked, newImage: { ...marked, status: 'resolved', version: 3 } })).toBe('IncidentUpdated');
    const event = careEventFromRecord(streamRecord({ eventName: 'MODIFY', seq: '5', oldImage: item, newImage: marked }))!;
    expect(event).toMatchObject({ patientId: 'P1', entityType: 'Incident', entityId: 'I1', data: { actorId: 'scheduler', changedFields: ['overdueNotifiedAt'] } });
  });

  it("notifies the org's coordinators only", async () => {
    const rule = NOTIFICATION_RULES.IncidentReportOverdue!;
    const directory = { careTeam: async () => ['aide-1', 'family-1'], coordinators: async () => ['coord-1', 'coord-2'], patientLogin: async () => 'pat-login', careTeamAs: async () => ['family-1'], admins: async () => ['admin-1'] };
    const event = { id: 'e', orgId: 'o', patientId: 'P1', type: 'IncidentReportOverdue', entityType: 'Incident', entityId: 'I1', at: '', data: { actorId: 'scheduler' } };
    expect((await resolveRecipients(rule, event, directory)).sort()).toEqual(['coord-1', 'coord-2']);
    expect(rule.message(event).title).toBe('Incident report overdue');
  });
});
