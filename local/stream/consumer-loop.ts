/**
 * One consumer's event source mapping: reads the stream's shards (parents first), batches records
 * and invokes the consumer with Lambda's retry semantics for `ReportBatchItemFailures`, sending
 * what exhausts its retries to the on-failure list. The semantics are described in
 * local/stream-poller.ts, which runs one loop per consumer.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { CheckpointStore } from './checkpoints.js';
import { sequenceOf, toLambdaRecord } from './records.js';

/** A stream record's `userIdentity` (Lambda's shape): DynamoDB's own for TTL deletions. */
export interface StreamUserIdentity {
  type: string;
  principalId: string;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamConsumer {
  /** Unique among the poller's consumers; keys its checkpoints. */
  readonly name: string;
  readonly handler: StreamHandler;
  /**
   * Most records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking with fewer than `batchSize`.
   * @default 0
   */
  readonly maximumBatchingWindowMs?: number;
  /**
   * Retries of a failing batch before its records go to the on-failure list.
   * @default 10
   */
  readonly maxRetries?: number;
}

/** A batch that exhausted its retries: Lambda's on-failure destination, kept in memory. */
export interface FailedBatch {
  readonly consumer: string;
  readonly streamArn: string;
  readonly shardId: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  readonly attempts: number;
  readonly error: string;
  readonly failedAt: string;
  readonly event: DynamoDBStreamEvent;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_MAX_RETRIES = 10;
const MAX_RETRY_DELAY_MS = 2000;
const SHARD_LIST_TTL_MS = 1000;
/** Records read ahead per shard and consumer before delivery catches up. */
const READ_AHEAD = 1000;

interface ShardState {
  readonly id: string;
  readonly parentId: string | undefined;
  /** undefined: not asked for yet; null: the shard is closed and everything in it was read. */
  iterator: string | null | undefined;
  /** Position of the last record read into `buffer` (reads resume after it). */
  lastRead: string | undefined;
  /** Position of the last record handled. */
  checkpoint: string | undefined;
  finished: boolean;
  buffer: DynamoDBRecord[];
  bufferedSince: number;
  caughtUp: boolean;
  failedAttempts: number;
  retryAt: number;
}

/** Orders shards so that each comes after its parent (when listed), keeping the listing order otherwise. */
function parentsFirst(states: ShardState[]): ShardState[] {
  const byId = new Map(states.map((state) => [state.id, state]));
  const ordered: ShardState[] = [];
  const placed = new Set<string>();
  const place = (state: ShardState, seen: Set<string>) => {
    if (placed.has(state.id) || seen.has(state.id)) return;
    seen.add(state.id);
    const parent = state.parentId ? byId.get(state.parentId) : undefined;
    if (parent) place(parent, seen);
    placed.add(state.id);
    ordered.push(state);
  };
  for (const state of states) place(state, new Set());
  return ordered;
}

type Outcome = { ok: true } | { ok: false; failedIndex: number; error: string };

/** One consumer's event source mapping: its own shard positions, its own loop. */
export class ConsumerLoop {
  private readonly shards = new Map<string, ShardState>();
  private listed: Shard[] | undefined;
  private listedAt = 0;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly windowMs: number;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Flush gathered records at once while someone drains. */
  flushing = 0;
  cyclesStarted = 0;
  lastQuietCycle = 0;
  lastError: string | undefined;
  pending = '';

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly region: string,
    private readonly checkpoints: CheckpointStore,
    private readonly pollIntervalMs: number,
    private readonly onFailure: (failure: FailedBatch) => void,
    private readonly logger: Pick<Console, 'warn' | 'error'>,
    /** Who made a change, where DynamoDB Local cannot say (a TTL deletion is DynamoDB's own). */
    private readonly userIdentityOf: (record: _Record) => StreamUserIdentity | undefined = () => undefined,
  ) {
    this.batchSize = consumer.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxRetries = consumer.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.windowMs = consumer.maximumBatchingWindowMs ?? 0;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10_000) {
      throw new Error(`stream-poller: consumer ${consumer.name}: batchSize must be 1..10000, got ${this.batchSize}`);
    }
  }

  get name(): string {
    return this.consumer.name;
  }

  /**
   * Lambda's IteratorAge for this consumer: how long the oldest record read and not yet handled
   * has been in the stream, in ms (0 when it has caught up).
   */
  iteratorAgeMs(now = Date.now()): number {
    let oldest: number | undefined;
    for (const state of this.shards.values()) {
      const at = state.buffer[0]?.dynamodb?.ApproximateCreationDateTime;
      if (at !== undefined) oldest = Math.min(oldest ?? Infinity, at * 1000);
    }
    return oldest === undefined ? 0 : Math.max(0, now - oldest);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const cycle = ++this.cyclesStarted;
      let quiet = false;
      try {
        quiet = await this.cycle();
        this.lastError = undefined;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // Once per distinct problem, not every poll.
        if (message !== this.lastError) this.logger.warn(`stream-poller: consumer ${this.consumer.name}: ${message}`);
        this.lastError = message;
      }
      if (quiet) this.lastQuietCycle = cycle;
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** One pass over every shard. Returns true when everything readable was read and handled. */
  private async cycle(): Promise<boolean> {
    const listed = await this.shardList();
    const listedIds = new Set(listed.map((shard) => shard.ShardId));
    // Every listed shard gets its state first: a child may be listed before its parent.
    const states = listed.map((shard) => this.stateOf(shard));
    let quiet = true;
    const pending: string[] = [];
    for (const state of parentsFirst(states)) {
      if (state.finished) continue;
      const parent = state.parentId && listedIds.has(state.parentId) ? this.shards.get(state.parentId) : undefined;
      if (parent && !parent.finished) {
        quiet = false; // read once the parent is done
        pending.push(`${state.id} (waits for ${parent.id})`);
        continue;
      }
      await this.read(state);
      await this.deliver(state);
      if (state.iterator === null && state.buffer.length === 0) {
        state.finished = true;
        this.checkpoints.set(this.consumer.name, state.id, { sequenceNumber: state.checkpoint, finished: true });
      }
      if (!state.finished && (!state.caughtUp || state.buffer.length > 0)) {
        quiet = false;
        pending.push(`${state.id} (${state.buffer.length} buffered${state.failedAttempts ? `, ${state.failedAttempts} failed attempts` : ''})`);
      }
      if (this.stopped) return false;
    }
    this.pending = pending.join(', ');
    return quiet;
  }

  /**
   * The stream's shards, described at most every SHARD_LIST_TTL_MS while idle, and afresh in
   * every cycle of a drain or after a shard closed, so new shards are never missed.
   */
  private async shardList(): Promise<Shard[]> {
    const closed = [...this.shards.values()].some((state) => state.iterator === null && !state.finished);
    if (!this.listed || closed || this.flushing > 0 || Date.now() - this.listedAt >= SHARD_LIST_TTL_MS) {
      this.listed = await this.describeShards();
      this.listedAt = Date.now();
    }
    return this.listed;
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private stateOf(shard: Shard): ShardState {
    const id = shard.ShardId ?? '';
    let state = this.shards.get(id);
    if (!state) {
      const saved = this.checkpoints.get(this.consumer.name, id);
      state = {
        id,
        parentId: shard.ParentShardId,
        iterator: undefined,
        lastRead: saved.sequenceNumber,
        checkpoint: saved.sequenceNumber,
        finished: saved.finished ?? false,
        buffer: [],
        bufferedSince: 0,
        caughtUp: false,
        failedAttempts: 0,
        retryAt: 0,
      };
      this.shards.set(id, state);
    }
    return state;
  }

  private async iteratorFor(state: ShardState): Promise<string | undefined> {
    const position = state.lastRead
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: state.lastRead }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const result = await this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: state.id, ...position }),
      );
      return result.ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException) || !state.lastRead) throw error;
      // The stream no longer holds our position (records live 24 hours): what is left is all we can read.
      this.logger.warn(
        `stream-poller: consumer ${this.consumer.name}: records after ${state.lastRead} in ${state.id} were trimmed; resuming at the trim horizon`,
      );
      state.lastRead = undefined;
      return this.iteratorFor(state);
    }
  }

  private async read(state: ShardState): Promise<void> {
    state.caughtUp = false;
    if (state.iterator === undefined) state.iterator = (await this.iteratorFor(state)) ?? null;
    while (state.iterator && state.buffer.length < READ_AHEAD && !this.stopped) {
      let result;
      try {
        result = await this.client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
      } catch (error) {
        if (!(error instanceof ExpiredIteratorException)) throw error;
        state.iterator = (await this.iteratorFor(state)) ?? null;
        continue;
      }
      const records = result.Records ?? [];
      if (records.length > 0 && state.buffer.length === 0) state.bufferedSince = Date.now();
      for (const record of records) {
        const lambdaRecord = toLambdaRecord(record, this.streamArn, this.region);
        const userIdentity = (lambdaRecord.userIdentity as StreamUserIdentity | undefined) ?? this.userIdentityOf(record);
        state.buffer.push(userIdentity ? { ...lambdaRecord, userIdentity } : lambdaRecord);
        state.lastRead = record.dynamodb?.SequenceNumber;
      }
      state.iterator = result.NextShardIterator ?? null;
      if (records.length === 0) break;
    }
    if (state.buffer.length < READ_AHEAD) state.caughtUp = true;
  }

  private async deliver(state: ShardState): Promise<void> {
    while (state.buffer.length > 0 && !this.stopped) {
      if (Date.now() < state.retryAt) return;
      const gathering =
        this.windowMs > 0 &&
        this.flushing === 0 &&
        state.iterator !== null &&
        state.buffer.length < this.batchSize &&
        Date.now() - state.bufferedSince < this.windowMs;
      if (gathering) return;

      const batch = state.buffer.slice(0, this.batchSize);
      const outcome = await this.invoke(batch);
      if (outcome.ok) {
        this.handled(state, batch.length);
        state.failedAttempts = 0;
        continue;
      }
      if (outcome.failedIndex > 0) {
        // Progress: the records before the lowest failure are done, and the retry count restarts.
        this.handled(state, outcome.failedIndex);
        state.failedAttempts = 0;
      }
      state.failedAttempts += 1;
      if (state.failedAttempts > this.maxRetries) {
        const failed = batch.slice(outcome.failedIndex);
        this.fail(state, failed, outcome.error);
        this.handled(state, failed.length);
        state.failedAttempts = 0;
        continue;
      }
      state.retryAt = Date.now() + Math.min(this.pollIntervalMs * 2 ** (state.failedAttempts - 1), MAX_RETRY_DELAY_MS);
      return;
    }
  }

  private async invoke(batch: DynamoDBRecord[]): Promise<Outcome> {
    let response: DynamoDBBatchResponse | void;
    try {
      // A fresh copy each time, as each Lambda invocation parses its own event.
      response = await this.consumer.handler({ Records: structuredClone(batch) });
    } catch (error) {
      return { ok: false, failedIndex: 0, error: error instanceof Error ? error.message : String(error) };
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) return { ok: true };
    const indexes = failures.map((failure) =>
      failure?.itemIdentifier ? batch.findIndex((record) => sequenceOf(record) === failure.itemIdentifier) : -1,
    );
    if (indexes.some((index) => index < 0)) {
      // Lambda fails the whole batch when an identifier is missing or unknown.
      return { ok: false, failedIndex: 0, error: `invalid batchItemFailures: ${JSON.stringify(failures)}` };
    }
    const failedIndex = Math.min(...indexes);
    return { ok: false, failedIndex, error: `batchItemFailures from ${sequenceOf(batch[failedIndex]!)}` };
  }

  private handled(state: ShardState, count: number): void {
    const done = state.buffer.splice(0, count);
    state.checkpoint = sequenceOf(done.at(-1)!);
    state.bufferedSince = Date.now();
    this.checkpoints.set(this.consumer.name, state.id, { sequenceNumber: state.checkpoint });
  }

  private fail(state: ShardState, records: DynamoDBRecord[], error: string): void {
    const failure: FailedBatch = {
      consumer: this.consumer.name,
      streamArn: this.streamArn,
      shardId: state.id,
      firstSequenceNumber: sequenceOf(records[0]!),
      lastSequenceNumber: sequenceOf(records.at(-1)!),
      attempts: state.failedAttempts,
      error,
      failedAt: new Date().toISOString(),
      event: { Records: records },
    };
    this.logger.error(
      `stream-poller: consumer ${failure.consumer} gave up on ${records.length} record(s) ${failure.firstSequenceNumber}..${failure.lastSequenceNumber} in ${failure.shardId} after ${failure.attempts} attempts: ${error}`,
    );
    this.onFailure(failure);
  }
}
