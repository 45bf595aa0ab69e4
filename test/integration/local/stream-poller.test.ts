import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStreamPoller, type StreamConsumer, type StreamPoller } from '../../../local/stream-poller.js';
import { createTestTable, testDynamoConfig, type TestTable } from '../../support/dynamodb.js';

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A consumer that records every event it receives and answers with `respond`. */
function recorder(
  name: string,
  respond: (event: DynamoDBStreamEvent, call: number) => DynamoDBBatchResponse | void = () => undefined,
  settings: Partial<StreamConsumer> = {},
) {
  const calls: DynamoDBRecord[][] = [];
  const consumer: StreamConsumer = {
    name,
    ...settings,
    handler: async (event) => {
      calls.push(event.Records);
      return respond(event, calls.length);
    },
  };
  return { consumer, calls, keysOf: (batch: DynamoDBRecord[]) => batch.map((r) => r.dynamodb?.Keys?.SK?.S) };
}

describe('stream poller on DynamoDB Local', () => {
  let table: TestTable;
  let pollers: StreamPoller[];
  let dir: string;

  beforeEach(async () => {
    table = await createTestTable('poller');
    pollers = [];
    dir = await mkdtemp(path.join(tmpdir(), 'poller-'));
  });

  afterEach(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    await table.drop();
    await rm(dir, { recursive: true, force: true });
  });

  function poller(consumers: StreamConsumer[], checkpointFile?: string): StreamPoller {
    const created = createStreamPoller({
      ...testDynamoConfig(),
      tableName: table.tableName,
      consumers,
      checkpointFile,
      pollIntervalMs: 50,
      logger: quietLogger,
    });
    pollers.push(created);
    return created;
  }

  const put = (sk: string, extra: Record<string, unknown> = {}) =>
    table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { PK: { S: 'ORG#1' }, SK: { S: sk }, n: { N: '1' }, ...(extra as object) },
      }),
    );

  async function putMany(count: number, from = 0) {
    for (let i = from; i < from + count; i++) await put(`item-${String(i).padStart(3, '0')}`);
  }

  it('delivers inserts, modifies and removes in order, shaped as Lambda events', async () => {
    const { consumer, calls } = recorder('audit');
    const subject = poller([consumer]);
    await subject.start();

    await put('a', { blob: { B: new Uint8Array([1, 2, 3]) }, tags: { SS: ['x', 'y'] } });
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: 'ORG#1' }, SK: { S: 'a' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
      }),
    );
    await table.client.send(new DeleteItemCommand({ TableName: table.tableName, Key: { PK: { S: 'ORG#1' }, SK: { S: 'a' } } }));
    await subject.drain();

    const records = calls.flat();
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const described = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    expect(insert).toMatchObject({
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      eventSourceARN: described.Table?.LatestStreamArn,
      dynamodb: {
        Keys: { PK: { S: 'ORG#1' }, SK: { S: 'a' } },
        NewImage: { PK: { S: 'ORG#1' }, SK: { S: 'a' }, n: { N: '1' }, blob: { B: 'AQID' }, tags: { SS: ['x', 'y'] } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(insert.eventID).toEqual(expect.any(String));
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(insert.dynamodb?.ApproximateCreationDateTime).toBeTypeOf('number');
    expect(Math.abs(insert.dynamodb!.ApproximateCreationDateTime! - Date.now() / 1000)).toBeLessThan(120);
    expect(insert.dynamodb?.SizeBytes).toBeGreaterThan(0);
    expect(modify.dynamodb?.OldImage?.n).toEqual({ N: '1' });
    expect(modify.dynamodb?.NewImage?.n).toEqual({ N: '2' });
    expect(remove.dynamodb?.OldImage?.n).toEqual({ N: '2' });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    const sequence = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    // Plain JSON, as Lambda hands it over.
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);
  });

  it('redelivers from the lowest reported batchItemFailure: nothing lost, nothing before it twice', async () => {
    await putMany(10);
    const failing = recorder(
      'partial',
      (event, call) =>
        call === 1 ? { batchItemFailures: [{ itemIdentifier: event.Records[7]!.dynamodb!.SequenceNumber! }, { itemIdentifier: event.Records[5]!.dynamodb!.SequenceNumber! }] } : undefined,
      { batchSize: 10 },
    );
    const healthy = recorder('healthy', undefined, { batchSize: 10 });
    const subject = poller([failing.consumer, healthy.consumer]);
    await subject.start();
    await subject.drain();

    expect(failing.calls.map(failing.keysOf)).toEqual([
      ['item-000', 'item-001', 'item-002', 'item-003', 'item-004', 'item-005', 'item-006', 'item-007', 'item-008', 'item-009'],
      ['item-005', 'item-006', 'item-007', 'item-008', 'item-009'],
    ]);
    // The same records as the first delivery, not re-read copies with new ids.
    expect(failing.calls[1]!.map((r) => r.eventID)).toEqual(failing.calls[0]!.slice(5).map((r) => r.eventID));
    // Another consumer has its own position and never sees a retry.
    expect(healthy.calls.flat()).toHaveLength(10);
    expect(subject.failures()).toEqual([]);
  });

  it('gives a throwing consumer the whole batch again', async () => {
    await putMany(4);
    const throwing = recorder(
      'throws',
      (_event, call) => {
        if (call === 1) throw new Error('downstream unavailable');
      },
      { batchSize: 10 },
    );
    const subject = poller([throwing.consumer]);
    await subject.start();
    await subject.drain();

    expect(throwing.calls).toHaveLength(2);
    expect(throwing.calls[1]!.map((r) => r.eventID)).toEqual(throwing.calls[0]!.map((r) => r.eventID));
    expect(throwing.keysOf(throwing.calls[1]!)).toEqual(['item-000', 'item-001', 'item-002', 'item-003']);
  });

  it('sends a batch that keeps failing to the on-failure list after maxRetries and moves on', async () => {
    await putMany(3);
    const broken = recorder(
      'broken',
      (event) => {
        if (event.Records.some((r) => r.dynamodb?.Keys?.SK?.S === 'item-001')) throw new Error('cannot handle item-001');
      },
      { batchSize: 1, maxRetries: 2 },
    );
    const subject = poller([broken.consumer]);
    await subject.start();
    await expect(subject.drain()).rejects.toThrow(/on-failure list.*cannot handle item-001/);

    expect(broken.calls.map(broken.keysOf)).toEqual([['item-000'], ['item-001'], ['item-001'], ['item-001'], ['item-002']]);
    const [failure] = subject.failures();
    expect(subject.failures()).toHaveLength(1);
    expect(failure).toMatchObject({ consumer: 'broken', attempts: 3, error: 'cannot handle item-001' });
    expect(failure!.event.Records.map((r) => r.dynamodb?.Keys?.SK?.S)).toEqual(['item-001']);

    await put('item-003');
    await subject.drain();
    expect(broken.calls.at(-1)!.map((r) => r.dynamodb?.Keys?.SK?.S)).toEqual(['item-003']);
  });

  it('resumes after the last delivered record when restarted with the same checkpoint file', async () => {
    const checkpointFile = path.join(dir, 'stream-checkpoints.json');
    await putMany(3);
    const first = recorder('audit');
    const before = poller([first.consumer], checkpointFile);
    await before.start();
    await before.drain();
    await before.stop();
    expect(first.calls.flat()).toHaveLength(3);
    expect(JSON.parse(await readFile(checkpointFile, 'utf8'))).toMatchObject({ version: 1, consumers: { audit: expect.any(Object) } });

    await putMany(2, 3);
    const second = recorder('audit');
    const after = poller([second.consumer], checkpointFile);
    await after.start();
    await after.drain();

    expect(second.calls.flat().map((r) => r.dynamodb?.Keys?.SK?.S)).toEqual(['item-003', 'item-004']);
  });

  it('without a checkpoint file a new poller starts again at the trim horizon', async () => {
    await putMany(2);
    const first = recorder('audit');
    const before = poller([first.consumer]);
    await before.start();
    await before.drain();
    await before.stop();

    const second = recorder('audit');
    const after = poller([second.consumer]);
    await after.start();
    await after.drain();
    expect(second.calls.flat()).toHaveLength(2);
  });

  it('drain() waits for records written just before it, within a poll or two', async () => {
    const { consumer, calls } = recorder('audit', undefined, { batchSize: 5, maximumBatchingWindowMs: 5000 });
    const subject = poller([consumer]);
    await subject.start();
    await subject.drain();
    expect(calls).toEqual([]);

    await putMany(12);
    const started = Date.now();
    await subject.drain();
    const elapsed = Date.now() - started;

    expect(calls.flat().map((r) => r.dynamodb?.Keys?.SK?.S)).toEqual(
      Array.from({ length: 12 }, (_, i) => `item-${String(i).padStart(3, '0')}`),
    );
    expect(calls.every((batch) => batch.length <= 5)).toBe(true);
    // The batching window does not hold a drain back.
    expect(elapsed).toBeLessThan(2000);
  });

  it('rejects a consumer list with a duplicate name', () => {
    const { consumer } = recorder('audit');
    expect(() => poller([consumer, consumer])).toThrow(/audit is used twice/);
  });
});
