import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { careEventFromRecord, createEventsHandler } from '../../../../lambdas/events/app.js';
import { eventTypeFor } from '../../../../lambdas/events/event-map.js';
import { EventBridgePublisher } from '../../../../lambdas/events/eventbridge-publisher.js';
import { toChangeRecord } from '../../../../lambdas/shared/data/stream-image.js';
import type { CareEvent, EventPublisher } from '../../../../lambdas/shared/events/care-event.js';
import { silentLogger } from '../support/api-events.js';
import { memberItem, patientItem, streamRecord, type RecordSpec } from '../support/stream-records.js';

describe('careEventFromRecord', () => {
  it('makes PatientUpdated of a Patient MODIFY, with ids and changed field names only', () => {
    const event = careEventFromRecord(
      streamRecord({
        eventName: 'MODIFY',
        seq: '1',
        oldImage: patientItem(),
        newImage: patientItem({ room: '12', version: 2, updatedAt: '2025-03-02T08:00:00.000Z', updatedBy: 'admin-1' }),
      }),
    );
    expect(event).toEqual({
      id: 'evt-1',
      orgId: 'org-1',
      patientId: 'p1',
      recipientId: null,
      type: 'PatientUpdated',
      entityType: 'Patient',
      entityId: 'p1',
      at: '2025-03-02T08:00:00.000Z',
      data: { version: 2, changedFields: ['room'], actorId: 'admin-1' },
    });
    expect(JSON.stringify(event)).not.toContain('Ada'); // no PHI values
  });

  it('gives a NotificationCreated its notificationType in data, addressed to the recipient only', () => {
    const notification = {
      PK: 'ORG#org-1#USER#fam-1',
      SK: 'NOTIF#01J',
      id: 'n1',
      entityType: 'Notification',
      orgId: 'org-1',
      userId: 'fam-1',
      type: 'DoseMissed',
      aboutPatientId: 'p1',
      version: 1,
      updatedAt: '2025-03-01T10:00:00.000Z',
    };
    const event = careEventFromRecord(streamRecord({ eventName: 'INSERT', seq: '5', newImage: notification }));
    expect(event).toMatchObject({ type: 'NotificationCreated', recipientId: 'fam-1', patientId: null, entityId: 'n1' });
    expect(event?.data).toMatchObject({ notificationType: 'DoseMissed' });
  });

  it('makes PatientCreated of a Patient INSERT', () => {
    expect(careEventFromRecord(streamRecord({ eventName: 'INSERT', seq: '2', newImage: patientItem() }))?.type).toBe('PatientCreated');
  });

  it('makes CareTeamMemberRemoved of a REMOVE, addressed to the removed user', () => {
    const event = careEventFromRecord(
      streamRecord({ eventName: 'REMOVE', seq: '3', oldImage: memberItem({ deleting: true, updatedBy: 'admin-9' }) }),
    );
    expect(event).toMatchObject({ type: 'CareTeamMemberRemoved', recipientId: 'fam-1', patientId: 'p1', entityType: 'CareTeamMember', entityId: 'fam-1' });
    expect(event?.data).toMatchObject({ actorId: 'admin-9' });
  });

  it('addresses CareTeamMemberAdded to the added user', () => {
    expect(careEventFromRecord(streamRecord({ eventName: 'INSERT', seq: '4', newImage: memberItem() }))).toMatchObject({
      type: 'CareTeamMemberAdded',
      recipientId: 'fam-1',
    });
  });

  it('publishes nothing for the marking write before a delete', () => {
    const spec: RecordSpec = { eventName: 'MODIFY', seq: '5', oldImage: memberItem(), newImage: memberItem({ deleting: true }) };
    expect(eventTypeFor(toChangeRecord(streamRecord(spec)))).toBeUndefined();
    expect(careEventFromRecord(streamRecord(spec))).toBeUndefined();
  });

  it.each([
    ['an unmapped entity type', { eventName: 'INSERT', seq: '6', newImage: { entityType: 'AccessRecord', orgId: 'org-1', id: 'a' } }],
    ['a storage item', { eventName: 'INSERT', seq: '7', newImage: { entityType: 'MrnClaim', orgId: 'org-1', id: 'p1' } }],
    ['an event the rule does not name (Patient REMOVE)', { eventName: 'REMOVE', seq: '8', oldImage: patientItem() }],
    ['an item without an entity type', { eventName: 'INSERT', seq: '9', newImage: { PK: 'x', SK: 'y' } }],
  ] as Array<[string, RecordSpec]>)('publishes nothing for %s', (_, spec) => {
    expect(careEventFromRecord(streamRecord(spec))).toBeUndefined();
  });
});

class RecordingPublisher implements EventPublisher {
  readonly batches: CareEvent[][] = [];
  constructor(private readonly failOnBatch?: number) {}
  async publish(events: readonly CareEvent[]): Promise<void> {
    if (this.batches.length === this.failOnBatch) throw new Error('bus down');
    this.batches.push([...events]);
  }
}

describe('createEventsHandler', () => {
  const modify = (seq: string): RecordSpec => ({ eventName: 'MODIFY', seq, oldImage: patientItem(), newImage: patientItem({ room: seq }) });
  const batch = (...specs: RecordSpec[]): DynamoDBStreamEvent => ({ Records: specs.map(streamRecord) });

  it('publishes in stream order, ten at a time, skipping records with no event', async () => {
    const publisher = new RecordingPublisher();
    const specs = Array.from({ length: 12 }, (_, i) => modify(String(100 + i)));
    specs.splice(3, 0, { eventName: 'INSERT', seq: '999', newImage: { entityType: 'MrnClaim', orgId: 'org-1' } });

    const out = await createEventsHandler({ publisher, logger: silentLogger() })(batch(...specs));

    expect(out).toEqual({ batchItemFailures: [] });
    expect(publisher.batches.map((b) => b.length)).toEqual([10, 2]);
    expect(publisher.batches.flat().map((e) => e.id)).toEqual(specs.filter((s) => s.seq !== '999').map((s) => `evt-${s.seq}`));
  });

  it('reports a failure from the first record of the chunk that was not published', async () => {
    const publisher = new RecordingPublisher(1);
    const specs = Array.from({ length: 15 }, (_, i) => modify(String(200 + i)));
    const out = await createEventsHandler({ publisher, logger: silentLogger() })(batch(...specs));
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '210' }] });
    expect(publisher.batches).toHaveLength(1);
  });
});

describe('EventBridgePublisher', () => {
  const eb = mockClient(EventBridgeClient);
  const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const event: CareEvent = {
    id: 'evt-1',
    orgId: 'org-1',
    patientId: 'p1',
    recipientId: null,
    type: 'PatientUpdated',
    entityType: 'Patient',
    entityId: 'p1',
    at: '2025-03-02T08:00:00.000Z',
    data: { version: 2, changedFields: ['room'] },
  };

  beforeEach(() => eb.reset());
  afterAll(() => eb.restore());

  it('puts each event on the bus with source carestack, its type, and data as a JSON string', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });

    await new EventBridgePublisher(client, 'bus-1').publish([event]);

    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ EventBusName: 'bus-1', Source: 'carestack', DetailType: 'PatientUpdated' });
    const detail = JSON.parse(entry.Detail!);
    expect(detail).toEqual({ ...event, data: JSON.stringify(event.data) });
    expect(typeof detail.data).toBe('string');
  });

  it('sends data null as null, not as the string "null"', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await new EventBridgePublisher(client, 'bus-1').publish([{ ...event, data: null }]);
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(JSON.parse(entry.Detail!).data).toBeNull();
  });

  it('throws when the bus refuses any entry, so the batch is retried', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'e1' }, { ErrorCode: 'InternalFailure' }] });
    await expect(new EventBridgePublisher(client, 'bus-1').publish([event, { ...event, id: 'evt-2' }])).rejects.toThrow(/1 of 2 events/);
  });

  it('makes no call for no events', async () => {
    await new EventBridgePublisher(client, 'bus-1').publish([]);
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand);
  });
});
