/**
 * Redrive of a stream consumer's failed batches (docs/operations.md, "Audit redrive"): each message
 * of the consumer's on-failure queue names a batch by its stream position (shard, first and last
 * sequence number), never its records. The redrive reads those records from the stream while it
 * still holds them, hands them to the consumer's own handler (for the audit trail: the same
 * exactly-once path, lambdas/audit/app.ts, docs/audit.md), and deletes the message only after the
 * handler stored every record. A batch the stream no longer holds is reported by its sequence
 * range and its message is kept: never dropped silently.
 *
 * AWS (SQS + DynamoDB Streams) and the local stack (a file queue + DynamoDB Local) pass their own
 * queue and reader; the logic is this module only.
 */
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { StreamFailureMessage, type StreamBatchInfo } from '../../../schemas/stream-failure.js';
import type { Logger } from '../logger.js';

export interface QueuedFailure {
  /** Stable id of the message (SQS MessageId): a message seen twice in one run is not redriven twice. */
  readonly id: string;
  /** What deletes it (SQS ReceiptHandle). */
  readonly receipt: string;
  readonly body: string;
}

/** The consumer's on-failure queue. */
export interface FailureQueue {
  /** Up to `max` messages, hidden from other receivers for a while. Empty when none is left. */
  receive(max: number): Promise<readonly QueuedFailure[]>;
  delete(receipt: string): Promise<void>;
}

export type ReadResult = { readonly records: readonly DynamoDBRecord[] } | { readonly unreadable: string };

/** Reads one batch's records back from the stream, first to last sequence number. */
export interface StreamRangeReader {
  read(batch: StreamBatchInfo): Promise<ReadResult>;
}

export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> } | void>;

export interface BatchRange {
  readonly streamArn: string;
  readonly shardId: string;
  readonly first: string;
  readonly last: string;
}

export interface RedriveReport {
  readonly consumer: string;
  /** Stored through the handler; their messages are deleted. */
  readonly redriven: Array<BatchRange & { readonly records: number }>;
  /** No longer in the stream (past its retention): kept in the queue, to be reconciled by hand. */
  readonly unreadable: Array<BatchRange & { readonly reason: string }>;
  /** Read, but the handler failed again: kept in the queue for the next redrive. */
  readonly failed: Array<BatchRange & { readonly error: string }>;
  /** Messages that are not an on-failure record of a stream batch: kept, and named by id. */
  readonly invalid: Array<{ readonly id: string; readonly reason: string }>;
}

export interface RedriveDeps {
  /** Names the consumer in the report and the log. */
  readonly consumer: string;
  readonly queue: FailureQueue;
  readonly reader: StreamRangeReader;
  /** The consumer's own stream handler: for the audit trail, createAuditHandler's. */
  readonly handler: StreamBatchHandler;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Messages per receive. @default 10 (SQS's maximum) */
  readonly receiveBatch?: number;
}

const rangeOf = (b: StreamBatchInfo): BatchRange => ({ streamArn: b.streamArn, shardId: b.shardId, first: b.startSequenceNumber, last: b.endSequenceNumber });
const describe = (r: BatchRange) => `${r.shardId} ${r.first}..${r.last}`;

/** Drains the queue once: every message is redriven, or reported and kept. */
export async function redriveFailures(deps: RedriveDeps): Promise<RedriveReport> {
  const report: RedriveReport = { consumer: deps.consumer, redriven: [], unreadable: [], failed: [], invalid: [] };
  const seen = new Set<string>();
  for (;;) {
    const messages = (await deps.queue.receive(deps.receiveBatch ?? 10)).filter((m) => !seen.has(m.id));
    // Empty, or only messages this run already handled (kept ones come back after their visibility timeout).
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.id);
      await redriveOne(deps, message, report);
    }
  }
  deps.logger.info('redrive finished', {
    consumer: deps.consumer,
    redriven: report.redriven.length,
    records: report.redriven.reduce((n, r) => n + r.records, 0),
    unreadable: report.unreadable.length,
    failed: report.failed.length,
    invalid: report.invalid.length,
  });
  return report;
}

async function redriveOne(deps: RedriveDeps, message: QueuedFailure, report: RedriveReport): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    body = undefined;
  }
  const parsed = StreamFailureMessage.safeParse(body);
  if (!parsed.success) {
    const reason = `not a stream batch's on-failure record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`;
    deps.logger.error('redrive: message kept', { consumer: deps.consumer, messageId: message.id, reason });
    report.invalid.push({ id: message.id, reason });
    return;
  }
  const batch = parsed.data.DDBStreamBatchInfo;
  const range = rangeOf(batch);
  const read = await deps.reader.read(batch);
  if ('unreadable' in read) {
    deps.logger.error('redrive: batch no longer in the stream, message kept', { consumer: deps.consumer, ...range, reason: read.unreadable });
    report.unreadable.push({ ...range, reason: read.unreadable });
    return;
  }
  let error: string | undefined;
  try {
    const result = await deps.handler({ Records: structuredClone([...read.records]) });
    const failures = result?.batchItemFailures ?? [];
    if (failures.length > 0) error = `the handler reported failures from ${failures.map((f) => f.itemIdentifier).join(', ')}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  if (error !== undefined) {
    deps.logger.warn('redrive: batch failed again, message kept', { consumer: deps.consumer, ...range, error });
    report.failed.push({ ...range, error });
    return;
  }
  // Only now: every record of the batch is stored.
  await deps.queue.delete(message.receipt);
  deps.logger.info('redrive: batch stored', { consumer: deps.consumer, batch: describe(range), records: read.records.length });
  report.redriven.push({ ...range, records: read.records.length });
}
