import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStreamPoller, type StreamPoller } from '../../../local/stream-poller.js';

// Shard lineage cannot be provoked on DynamoDB Local (one shard per table in practice), so it is
// checked here against a scripted stream.
const STREAM_ARN = 'arn:aws:dynamodb:local:000000000000:table/T/stream/2026-11-21T00:00:00.000';
const streams = mockClient(DynamoDBStreamsClient);
const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function record(sequenceNumber: string, sk: string): _Record {
  return {
    eventID: `id-${sequenceNumber}`,
    eventName: 'INSERT',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-21T10:00:00Z'),
      Keys: { PK: { S: 'P' }, SK: { S: sk } },
      NewImage: { PK: { S: 'P' }, SK: { S: sk } },
      SequenceNumber: sequenceNumber,
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('stream poller shard handling', () => {
  let poller: StreamPoller | undefined;
  let delivered: string[];
  let readOrder: string[];

  beforeEach(() => {
    streams.reset();
    delivered = [];
    readOrder = [];
    streams.on(ListStreamsCommand).resolves({ Streams: [{ StreamArn: STREAM_ARN, StreamLabel: '2026-11-21T00:00:00.000' }] });
    streams.on(GetShardIteratorCommand).callsFake((input) =>
      ({ ShardIterator: `${input.ShardId}@${input.SequenceNumber ?? 'start'}` }));
  });
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  function start(shards: Shard[]) {
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: STREAM_ARN, Shards: shards } });
    poller = createStreamPoller({
      endpoint: 'http://127.0.0.1:1',
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      tableName: 'T',
      pollIntervalMs: 10,
      logger: quietLogger,
      consumers: [
        {
          name: 'audit',
          handler: async (event) => {
            delivered.push(...event.Records.map((r: DynamoDBRecord) => r.dynamodb!.Keys!.SK!.S!));
          },
        },
      ],
    });
    return poller.start();
  }

  it('reads a closed parent to its end before its child, whatever the listing order', async () => {
    streams.on(GetRecordsCommand).callsFake(({ ShardIterator }: { ShardIterator: string }) => {
      readOrder.push(ShardIterator);
      switch (ShardIterator) {
        case 'parent@start':
          return { Records: [record('100', 'p1')], NextShardIterator: 'parent@100' };
        case 'parent@100':
          return { Records: [record('200', 'p2')] }; // no next iterator: closed and read to its end
        case 'child@start':
          return { Records: [record('300', 'c1')], NextShardIterator: 'child@300' };
        default:
          return { Records: [], NextShardIterator: ShardIterator };
      }
    });
    await start([
      { ShardId: 'child', ParentShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '300' } },
      { ShardId: 'parent', SequenceNumberRange: { StartingSequenceNumber: '100', EndingSequenceNumber: '200' } },
    ]);
    await poller!.drain(2000);

    expect(delivered).toEqual(['p1', 'p2', 'c1']);
    expect(readOrder.indexOf('child@start')).toBeGreaterThan(readOrder.indexOf('parent@100'));
  });

  it('reads a child at once when its parent is no longer listed (trimmed)', async () => {
    streams.on(GetRecordsCommand).callsFake(({ ShardIterator }: { ShardIterator: string }) =>
      ShardIterator === 'child@start'
        ? { Records: [record('300', 'c1')], NextShardIterator: 'child@300' }
        : { Records: [], NextShardIterator: ShardIterator },
    );
    await start([{ ShardId: 'child', ParentShardId: 'gone', SequenceNumberRange: { StartingSequenceNumber: '300' } }]);
    await poller!.drain(2000);

    expect(delivered).toEqual(['c1']);
  });

  it('replaces an expired iterator from the last record read, losing and repeating nothing', async () => {
    let expired = false;
    streams.on(GetRecordsCommand).callsFake(({ ShardIterator }: { ShardIterator: string }) => {
      if (ShardIterator === 'only@start') return { Records: [record('1', 'a')], NextShardIterator: 'only@stale' };
      if (ShardIterator === 'only@stale') {
        expired = true;
        throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
      }
      if (ShardIterator === 'only@1') return { Records: [record('2', 'b')], NextShardIterator: 'only@2' };
      return { Records: [], NextShardIterator: ShardIterator };
    });
    await start([{ ShardId: 'only', SequenceNumberRange: { StartingSequenceNumber: '1' } }]);
    await poller!.drain(2000);

    expect(expired).toBe(true);
    expect(delivered).toEqual(['a', 'b']);
  });

  it('converts records to Lambda\'s JSON form', async () => {
    streams.on(GetRecordsCommand).callsFake(({ ShardIterator }: { ShardIterator: string }) =>
      ShardIterator === 'only@start'
        ? {
            Records: [
              {
                ...record('7', 'a'),
                dynamodb: {
                  ...record('7', 'a').dynamodb,
                  NewImage: { bytes: { B: new Uint8Array([255, 0]) }, set: { BS: [new Uint8Array([1])] }, nested: { M: { l: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] } } } },
                },
              },
            ],
            NextShardIterator: 'only@7',
          }
        : { Records: [], NextShardIterator: ShardIterator },
    );
    const events: DynamoDBRecord[] = [];
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: 'only' }] } });
    poller = createStreamPoller({
      endpoint: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      tableName: 'T',
      pollIntervalMs: 10,
      logger: quietLogger,
      consumers: [{ name: 'audit', handler: async (event) => void events.push(...event.Records) }],
    });
    await poller.start();
    await poller.drain(2000);

    expect(events).toEqual([
      {
        eventID: 'id-7',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        eventSourceARN: STREAM_ARN,
        dynamodb: {
          ApproximateCreationDateTime: Date.parse('2026-11-21T10:00:00Z') / 1000,
          Keys: { PK: { S: 'P' }, SK: { S: 'a' } },
          NewImage: { bytes: { B: '/wA=' }, set: { BS: ['AQ=='] }, nested: { M: { l: { L: [{ N: '1' }, { NULL: true }, { BOOL: false }] } } } },
          SequenceNumber: '7',
          SizeBytes: 10,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ]);
  });
});
