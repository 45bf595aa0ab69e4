import { gunzipSync } from 'node:zlib';
import { GetRecordsCommand, GetShardIteratorCommand, DynamoDBStreamsClient, TrimmedDataAccessException } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuditHandler } from '../../../../lambdas/audit/app.js';
import { AUDIT_PREFIX } from '../../../../lambdas/shared/audit/audit-event.js';
import { DynamoStreamRangeReader } from '../../../../lambdas/shared/aws/stream-range-reader.js';
import { redriveFailures, type ReadResult, type StreamRangeReader } from '../../../../lambdas/shared/streams/redrive.js';
import type { StreamBatchInfo, StreamFailureMessage } from '../../../../schemas/stream-failure.js';
import { MemoryAuditStore } from '../../../../local/memory-audit-store.js';
import { LocalFailureQueue } from '../../../../local/stream/failures-queue.js';
import { silentLogger } from '../support/api-events.js';
import { patientItem, streamRecord } from '../support/stream-records.js';

const STREAM = 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-12-07T00:00:00.000';
const SHARD = 'shardId-0001';

const record = (seq: string): DynamoDBRecord => {
  const id = `p-${seq}`;
  return streamRecord({
    eventName: 'INSERT',
    seq,
    newImage: patientItem({ orgId: 'org-a', id, patientId: id, PK: `ORG#org-a#PAT#${id}`, updatedAt: '2026-12-07T10:00:00.000Z', createdAt: '2026-12-07T10:00:00.000Z' }),
  });
};

/** The stream as the reader sees it: what it still holds, by sequence number. */
class FakeStream implements StreamRangeReader {
  reads = 0;
  constructor(readonly held: DynamoDBRecord[]) {}
  async read(batch: StreamBatchInfo): Promise<ReadResult> {
    this.reads += 1;
    const inRange = this.held.filter((r) => BigInt(r.dynamodb!.SequenceNumber!) >= BigInt(batch.startSequenceNumber) && BigInt(r.dynamodb!.SequenceNumber!) <= BigInt(batch.endSequenceNumber));
    if (inRange[0]?.dynamodb?.SequenceNumber !== batch.startSequenceNumber) return { unreadable: 'trimmed' };
    return { records: inRange };
  }
}

const failure = (first: string, last: string, count: number) => ({
  requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 11 },
  version: '1.0',
  timestamp: '2026-12-07T10:00:00.000Z',
  DDBStreamBatchInfo: { shardId: SHARD, startSequenceNumber: first, endSequenceNumber: last, batchSize: count, streamArn: STREAM },
});

/** Audit rows stored, by event id (each must be there once). */
function storedEventIds(store: MemoryAuditStore): string[] {
  return [...store.objects]
    .filter(([k]) => k.startsWith(AUDIT_PREFIX))
    .flatMap(([, body]) => gunzipSync(body).toString('utf8').split('\n').filter(Boolean))
    .map((line) => (JSON.parse(line) as { event_id: string }).event_id);
}

describe('redriveFailures', () => {
  const audit = (store: MemoryAuditStore) => createAuditHandler({ sink: store, journal: store, logger: silentLogger(), retryBaseMs: 0 });

  it('stores a failed batch through the audit path exactly once, deleting the message only after', async () => {
    const records = ['100', '101', '102', '103'].map(record);
    // The batch's last attempt got as far as its plan and one object, then the bucket failed.
    const store = new MemoryAuditStore();
    const handler = audit(store);
    const firstAttempt = createAuditHandler({
      sink: { put: async (key) => { throw new Error(`bucket down: ${key}`); } },
      journal: store,
      logger: silentLogger(),
      retryBaseMs: 0,
    });
    expect((await firstAttempt({ Records: records })).batchItemFailures).toEqual([{ itemIdentifier: '100' }]);

    const queue = await LocalFailureQueue.open('StreamAuditFailures', undefined);
    await queue.send(failure('100', '103', 4));
    let depthDuringHandler = -1;
    const report = await redriveFailures({
      consumer: 'audit',
      queue,
      reader: new FakeStream(records),
      handler: async (event) => {
        depthDuringHandler = queue.depth();
        return handler(event);
      },
      logger: silentLogger(),
    });

    expect(depthDuringHandler).toBe(1);
    expect(queue.depth()).toBe(0);
    expect(report.redriven).toEqual([{ streamArn: STREAM, shardId: SHARD, first: '100', last: '103', records: 4 }]);
    expect(report.unreadable).toEqual([]);
    expect(storedEventIds(store).sort()).toEqual(['evt-100', 'evt-101', 'evt-102', 'evt-103']);

    // A second redrive of the same batch (a message delivered twice) adds nothing.
    await queue.send(failure('100', '103', 4));
    await redriveFailures({ consumer: 'audit', queue, reader: new FakeStream(records), handler, logger: silentLogger() });
    expect(storedEventIds(store).sort()).toEqual(['evt-100', 'evt-101', 'evt-102', 'evt-103']);
  });

  it('reports a batch the stream no longer holds by its sequence range and keeps its message', async () => {
    const store = new MemoryAuditStore();
    const queue = await LocalFailureQueue.open('StreamAuditFailures', undefined);
    await queue.send(failure('100', '103', 4));
    await queue.send(failure('200', '201', 2));
    const stream = new FakeStream(['102', '103', '200', '201'].map(record)); // 100 and 101 are trimmed
    const report = await redriveFailures({ consumer: 'audit', queue, reader: stream, handler: audit(store), logger: silentLogger() });
    queue.release();

    expect(report.unreadable).toEqual([{ streamArn: STREAM, shardId: SHARD, first: '100', last: '103', reason: 'trimmed' }]);
    expect(report.redriven.map((r) => `${r.first}..${r.last}`)).toEqual(['200..201']);
    expect(queue.list().map((m) => m.message.DDBStreamBatchInfo.startSequenceNumber)).toEqual(['100']);
    expect(storedEventIds(store).sort()).toEqual(['evt-200', 'evt-201']);
  });

  it('keeps a batch that fails again, and a message that is not a stream batch', async () => {
    const queue = await LocalFailureQueue.open('StreamEventsFailures', undefined);
    await queue.send(failure('100', '101', 2));
    // Something else put in the queue by hand.
    await queue.send({ hello: 1 } as unknown as StreamFailureMessage);
    const report = await redriveFailures({
      consumer: 'events',
      queue,
      reader: new FakeStream(['100', '101'].map(record)),
      handler: async () => ({ batchItemFailures: [{ itemIdentifier: '100' }] }),
      logger: silentLogger(),
    });
    expect(report.failed).toEqual([{ streamArn: STREAM, shardId: SHARD, first: '100', last: '101', error: 'the handler reported failures from 100' }]);
    expect(report.invalid).toEqual([{ id: queue.list()[1]!.id, reason: expect.stringContaining('DDBStreamBatchInfo') }]);
    expect(report.redriven).toEqual([]);
    expect(queue.depth()).toBe(2);
  });
});

describe('DynamoStreamRangeReader', () => {
  const streams = mockClient(DynamoDBStreamsClient);
  afterEach(() => streams.reset());
  const batch: StreamBatchInfo = { shardId: SHARD, startSequenceNumber: '100', endSequenceNumber: '102', streamArn: STREAM };
  const sdkRecord = (seq: string) => ({ eventID: `evt-${seq}`, eventName: 'INSERT' as const, dynamodb: { SequenceNumber: seq, Keys: { PK: { S: 'a' } } } });

  it('reads the batch from its first record to its last, across pages', async () => {
    streams.on(GetShardIteratorCommand, { ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '100' }).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand, { ShardIterator: 'it-1' }).resolves({ Records: [sdkRecord('100'), sdkRecord('101')], NextShardIterator: 'it-2' });
    streams.on(GetRecordsCommand, { ShardIterator: 'it-2' }).resolves({ Records: [sdkRecord('102'), sdkRecord('103')], NextShardIterator: 'it-3' });
    const out = await new DynamoStreamRangeReader(new DynamoDBStreamsClient({ region: 'us-east-1' }), 'us-east-1').read(batch);
    expect('records' in out && out.records.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['100', '101', '102']);
    expect(streams.commandCalls(GetRecordsCommand)).toHaveLength(2);
  });

  it('answers unreadable when the stream trimmed the batch, or holds only part of it', async () => {
    streams.on(GetShardIteratorCommand).rejectsOnce(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    const reader = new DynamoStreamRangeReader(new DynamoDBStreamsClient({ region: 'us-east-1' }), 'us-east-1', 1);
    expect(await reader.read(batch)).toEqual({ unreadable: expect.stringMatching(/^TrimmedDataAccessException: the stream no longer holds shardId-0001 100\.\.102/) });

    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams.on(GetRecordsCommand, { ShardIterator: 'it-1' }).resolves({ Records: [sdkRecord('101'), sdkRecord('102')], NextShardIterator: 'it-2' });
    streams.on(GetRecordsCommand, { ShardIterator: 'it-2' }).resolves({ Records: [] });
    expect(await reader.read(batch)).toEqual({ unreadable: 'the stream holds 101..102 of shardId-0001 100..102: part of the batch is gone' });
  });
});
