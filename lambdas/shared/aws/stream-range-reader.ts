import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamBatchInfo } from '../../../schemas/stream-failure.js';
import { toLambdaRecord } from '../data/stream-records.js';
import type { ReadResult, StreamRangeReader } from '../streams/redrive.js';
import { compareSequence } from '../streams/sequence-number.js';

/**
 * Reads a batch back from DynamoDB Streams (AWS, or DynamoDB Local: same API): an iterator AT the
 * batch's first sequence number, then GetRecords until past its last. The stream keeps records for
 * 24 hours; a batch older than that answers TrimmedDataAccessException (or a first record that is
 * not the one asked for), and is reported unreadable, never shortened.
 */
export class DynamoStreamRangeReader implements StreamRangeReader {
  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly region: string,
    /** Empty pages in a row before an open shard counts as read to its end. @default 5 */
    private readonly emptyPagesToStop = 5,
  ) {}

  async read(batch: StreamBatchInfo): Promise<ReadResult> {
    const { streamArn, shardId, startSequenceNumber: first, endSequenceNumber: last } = batch;
    let iterator: string | undefined;
    try {
      const out = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: first }),
      );
      iterator = out.ShardIterator;
    } catch (error) {
      if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
        return { unreadable: `${error.name}: the stream no longer holds ${shardId} ${first}..${last} (${error.message})` };
      }
      throw error;
    }
    const records: DynamoDBRecord[] = [];
    let empty = 0;
    while (iterator) {
      let page;
      try {
        page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (error) {
        if (error instanceof TrimmedDataAccessException) return { unreadable: `${error.name}: trimmed while reading ${shardId} ${first}..${last}` };
        throw error;
      }
      // Only records after the last one kept count as progress (a page that repeats is no progress).
      const lastKept = records.at(-1)?.dynamodb?.SequenceNumber;
      const got = (page.Records ?? []).filter((r) => lastKept === undefined || compareSequence(r.dynamodb?.SequenceNumber ?? '', lastKept) > 0);
      empty = got.length === 0 ? empty + 1 : 0;
      for (const record of got) {
        const seq = record.dynamodb?.SequenceNumber ?? '';
        if (compareSequence(seq, last) > 0) return this.complete(records, batch);
        records.push(toLambdaRecord(record, streamArn, this.region));
      }
      if (empty >= this.emptyPagesToStop) break;
      iterator = page.NextShardIterator;
    }
    return this.complete(records, batch);
  }

  private complete(records: DynamoDBRecord[], batch: StreamBatchInfo): ReadResult {
    const { shardId, startSequenceNumber: first, endSequenceNumber: last } = batch;
    const firstRead = records[0]?.dynamodb?.SequenceNumber;
    const lastRead = records.at(-1)?.dynamodb?.SequenceNumber;
    if (firstRead !== first || lastRead !== last) {
      return { unreadable: `the stream holds ${firstRead ?? 'nothing'}..${lastRead ?? ''} of ${shardId} ${first}..${last}: part of the batch is gone` };
    }
    return { records };
  }
}
