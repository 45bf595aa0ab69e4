/**
 * The local stand-in for a stream consumer's on-failure SQS queue (`StreamAuditFailures`,
 * `StreamEventsFailures` on AWS): the stream poller puts a batch here when it exhausts its retries,
 * as Lambda does, with the message Lambda sends (the batch's position only, schemas/stream-failure.ts).
 * The redrive receives and deletes through the same port as on SQS (lambdas/shared/streams/redrive.ts);
 * `GET /_local/alarms` reads its depth.
 *
 * Kept in a JSON file under the data dir (written whole and atomically), or in memory.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StreamFailureMessage } from '../../schemas/stream-failure.js';
import type { FailureQueue, QueuedFailure } from '../../lambdas/shared/streams/redrive.js';
import type { FailedBatch } from './consumer-loop.js';

interface Stored {
  id: string;
  body: string;
  sentAt: string;
}

/** Lambda's on-failure record of a stream batch, for a batch the poller gave up on. */
export function onFailureMessage(failure: FailedBatch, functionName: string): StreamFailureMessage {
  const times = failure.event.Records.map((r) => r.dynamodb?.ApproximateCreationDateTime).filter((t): t is number => t !== undefined);
  const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());
  return {
    requestContext: { requestId: randomUUID(), functionArn: `local:function:${functionName}`, condition: 'RetryAttemptsExhausted', approximateInvokeCount: failure.attempts },
    responseContext: { statusCode: 200 },
    version: '1.0',
    timestamp: failure.failedAt,
    DDBStreamBatchInfo: {
      shardId: failure.shardId,
      startSequenceNumber: failure.firstSequenceNumber,
      endSequenceNumber: failure.lastSequenceNumber,
      ...(times.length ? { approximateArrivalOfFirstRecord: iso(Math.min(...times))!, approximateArrivalOfLastRecord: iso(Math.max(...times))! } : {}),
      batchSize: failure.event.Records.length,
      streamArn: failure.streamArn,
    },
  };
}

export class LocalFailureQueue implements FailureQueue {
  private messages: Stored[] = [];
  private loaded = false;
  private writing: Promise<void> = Promise.resolve();
  /** Ids received and neither deleted nor released (SQS's in-flight messages). */
  private readonly inFlight = new Set<string>();

  /** @param file JSON file; undefined keeps the queue in memory. */
  constructor(
    readonly name: string,
    private readonly file: string | undefined,
  ) {}

  static async open(name: string, file: string | undefined): Promise<LocalFailureQueue> {
    const queue = new LocalFailureQueue(name, file);
    await queue.load();
    return queue;
  }

  /** Messages in the queue (SQS's ApproximateNumberOfMessagesVisible plus in flight). */
  depth(): number {
    return this.messages.length;
  }

  async send(message: StreamFailureMessage): Promise<void> {
    this.messages.push({ id: randomUUID(), body: JSON.stringify(message), sentAt: new Date().toISOString() });
    await this.save();
  }

  /** Visible messages, oldest first; each stays in flight (invisible) until deleted or `release()`d. */
  async receive(max: number): Promise<readonly QueuedFailure[]> {
    const visible = this.messages.filter((m) => !this.inFlight.has(m.id)).slice(0, max);
    for (const m of visible) this.inFlight.add(m.id);
    return visible.map((m) => ({ id: m.id, receipt: m.id, body: m.body }));
  }

  async delete(receipt: string): Promise<void> {
    this.messages = this.messages.filter((m) => m.id !== receipt);
    this.inFlight.delete(receipt);
    await this.save();
  }

  /** Makes the messages received and not deleted visible again (their visibility timeout ended). */
  release(): void {
    this.inFlight.clear();
  }

  /** The bodies, oldest first (tests, GET /_local/alarms). */
  list(): Array<{ id: string; sentAt: string; message: StreamFailureMessage }> {
    return this.messages.map((m) => ({ id: m.id, sentAt: m.sentAt, message: JSON.parse(m.body) as StreamFailureMessage }));
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.file) return;
    this.loaded = true;
    try {
      this.messages = JSON.parse(await readFile(this.file, 'utf8')) as Stored[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify(this.messages, null, 2) + '\n';
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, file);
    });
    return this.writing;
  }
}
