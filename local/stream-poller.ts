/**
 * The local stand-in for Lambda's DynamoDB Streams event source mappings.
 *
 * Reads the table's stream on DynamoDB Local and invokes each consumer with `DynamoDBStreamEvent`
 * batches shaped as Lambda delivers them, with Lambda's failure semantics for
 * `ReportBatchItemFailures`:
 * - the handler throws: the whole batch is retried;
 * - it returns `batchItemFailures`: the position advances to just before the lowest failed
 *   sequence number and delivery resumes from there (an unknown identifier fails the whole batch);
 * - after `maxRetries` retries without progress the remaining records go to the on-failure list
 *   (`failures()`, and the log), and delivery moves on. Nothing is dropped silently.
 *
 * Each consumer has its own position per shard, as separate event source mappings do. Shards are
 * read parents first; a child starts once its parent is closed and fully delivered. Positions
 * can persist to a JSON file so a restart resumes after the last delivered record.
 *
 * A consumer is only `{ name, handler }`, so fault injection can wrap `handler` without any
 * support from here.
 *
 * This module finds the stream and runs one loop per consumer (stream/consumer-loop.ts: shards,
 * batches, retries); stream/records.ts shapes the records and stream/checkpoints.ts keeps positions.
 */
import {
  DynamoDBStreamsClient,
  ListStreamsCommand,
  type DynamoDBStreamsClientConfig,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { CheckpointStore } from './stream/checkpoints.js';
import { ConsumerLoop, type FailedBatch, type StreamConsumer, type StreamUserIdentity } from './stream/consumer-loop.js';

export type { FailedBatch, StreamConsumer, StreamHandler } from './stream/consumer-loop.js';
export { toLambdaRecord } from './stream/records.js';

export interface StreamPollerOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: DynamoDBStreamsClientConfig['credentials'];
  readonly tableName: string;
  readonly consumers: readonly StreamConsumer[];
  /**
   * JSON file holding each consumer's position per shard.
   * @default - positions are kept in memory only; a new poller starts at the trim horizon
   */
  readonly checkpointFile?: string;
  /**
   * Pause between polls of a stream that had nothing new.
   * @default 100
   */
  readonly pollIntervalMs?: number;
  /** @default console */
  readonly logger?: Pick<Console, 'info' | 'warn' | 'error'>;
  /**
   * The on-failure destination: called with each batch that exhausted its retries (after it is in
   * `failures()`), as Lambda sends it to the mapping's SQS queue. The local stack feeds its failures
   * queue from here (local/stream/failures-queue.ts).
   * @default - the batch is only kept in `failures()` and logged
   */
  readonly onFailure?: (failure: FailedBatch) => Promise<void>;
  /**
   * The `userIdentity` of a record DynamoDB Local leaves without one: the local TTL sweeper's
   * deletions are DynamoDB's own on AWS (`{ type: 'Service', principalId: 'dynamodb.amazonaws.com' }`).
   * @default - records carry what DynamoDB Local gives them
   */
  readonly userIdentityOf?: (record: _Record) => StreamUserIdentity | undefined;
}

export interface StreamPoller {
  /** Finds the table's stream and starts polling. Throws if the table has no stream. */
  start(): Promise<void>;
  /** Stops polling after any invocation in flight, and writes the checkpoints. */
  stop(): Promise<void>;
  /**
   * Resolves once every record written to the stream before the call has been handled by every
   * consumer. Rejects when that takes longer than `timeoutMs`, or when a batch went to the
   * on-failure list meanwhile (so a test never mistakes a failure for delivery).
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Batches that exhausted their retries, oldest first. */
  failures(): readonly FailedBatch[];
  /** Each consumer's iterator age in ms (Lambda's IteratorAge): 0 when it has caught up. */
  iteratorAges(): Record<string, number>;
}

const DEFAULT_POLL_INTERVAL_MS = 100;

async function latestStreamArn(client: DynamoDBStreamsClient, tableName: string): Promise<string> {
  const labels: { arn: string; label: string }[] = [];
  let exclusiveStartStreamArn: string | undefined;
  do {
    const page = await client.send(new ListStreamsCommand({ TableName: tableName, ExclusiveStartStreamArn: exclusiveStartStreamArn }));
    for (const stream of page.Streams ?? []) {
      if (stream.StreamArn) labels.push({ arn: stream.StreamArn, label: stream.StreamLabel ?? '' });
    }
    exclusiveStartStreamArn = page.LastEvaluatedStreamArn;
  } while (exclusiveStartStreamArn);
  const latest = labels.sort((a, b) => a.label.localeCompare(b.label)).at(-1);
  if (!latest) throw new Error(`stream-poller: table ${tableName} has no stream (create it with createTable)`);
  return latest.arn;
}

export function createStreamPoller(options: StreamPollerOptions): StreamPoller {
  const logger = options.logger ?? console;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const names = options.consumers.map((consumer) => consumer.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new Error(`stream-poller: consumer name ${duplicate} is used twice`);

  const failed: FailedBatch[] = [];
  /** Failures on their way to the on-failure destination (stop() waits for them). */
  const sending: Array<Promise<void>> = [];
  let client: DynamoDBStreamsClient | undefined;
  let checkpoints: CheckpointStore | undefined;
  let loops: ConsumerLoop[] = [];

  return {
    async start() {
      if (client) throw new Error('stream-poller: already started');
      client = new DynamoDBStreamsClient({
        endpoint: options.endpoint,
        region: options.region,
        credentials: options.credentials,
      });
      try {
        const streamArn = await latestStreamArn(client, options.tableName);
        checkpoints = await CheckpointStore.open(options.checkpointFile, streamArn, logger);
        const store = checkpoints;
        const streams = client;
        loops = options.consumers.map(
          (consumer) =>
            new ConsumerLoop(consumer, streams, streamArn, options.region, store, pollIntervalMs, (f) => {
              failed.push(f);
              sending.push(
                (options.onFailure?.(f) ?? Promise.resolve()).catch((error: unknown) =>
                  logger.error(`stream-poller: consumer ${f.consumer}: the on-failure destination refused ${f.firstSequenceNumber}..${f.lastSequenceNumber}: ${String(error)}`),
                ),
              );
            }, logger, options.userIdentityOf),
        );
      } catch (error) {
        client.destroy();
        client = undefined;
        throw error;
      }
      for (const loop of loops) loop.start();
    },

    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
      await Promise.all(sending);
      await checkpoints?.flush();
      loops = [];
      client?.destroy();
      client = undefined;
    },

    async drain(timeoutMs = 10_000) {
      if (!client) throw new Error('stream-poller: drain() before start()');
      const targets = loops.map((loop) => loop.cyclesStarted + 1);
      const failuresBefore = failed.length;
      const deadline = Date.now() + timeoutMs;
      for (const loop of loops) {
        loop.flushing += 1;
        loop.wake();
      }
      try {
        while (loops.some((loop, index) => loop.lastQuietCycle < targets[index]!)) {
          if (Date.now() > deadline) {
            const behind = loops
              .filter((loop, index) => loop.lastQuietCycle < targets[index]!)
              .map((loop) => `${loop.name}: ${loop.lastError ?? (loop.pending || 'still reading')}`);
            throw new Error(`stream-poller: drain timed out after ${timeoutMs} ms; behind: ${behind.join('; ')}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        for (const loop of loops) loop.flushing -= 1;
      }
      const newFailures = failed.slice(failuresBefore);
      if (newFailures.length > 0) {
        const summary = newFailures
          .map((f) => `${f.consumer} ${f.firstSequenceNumber}..${f.lastSequenceNumber}: ${f.error}`)
          .join('; ');
        throw new Error(`stream-poller: ${newFailures.length} batch(es) went to the on-failure list during drain: ${summary}`);
      }
    },

    failures() {
      return [...failed];
    },

    iteratorAges() {
      const now = Date.now();
      return Object.fromEntries(loops.map((loop) => [loop.name, loop.iteratorAgeMs(now)]));
    },
  };
}
