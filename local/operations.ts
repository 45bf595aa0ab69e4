/**
 * The local stack's side of docs/operations.md (local only: not in the route table, never in the
 * CDK app):
 * - `GET /_local/alarms` -> `{ alarms }`: the stream alarms of the CDK app evaluated against the local
 *   stand-ins, with the same thresholds (lib/alarm-thresholds.ts): each consumer's failures queue
 *   (messages >= 1) and its iterator age. `state` is `ALARM` or `OK`, with the value and the reason.
 * - `POST /_local/redrive { "consumer"?: "audit" | "events" }` -> `{ reports }`: runs the redrive
 *   (lambdas/shared/streams/redrive.ts) over that consumer's failures queue (both when none is named),
 *   with the consumer's own handler, and answers each report. `npm run redrive` calls it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALARM_THRESHOLDS } from '../lib/alarm-thresholds.js';
import { redriveFailures, type RedriveReport, type StreamBatchHandler, type StreamRangeReader } from '../lambdas/shared/streams/redrive.js';
import type { Logger } from '../lambdas/shared/logger.js';
import type { LocalFailureQueue } from './stream/failures-queue.js';

export const ALARMS_PATH = '/_local/alarms';
export const REDRIVE_PATH = '/_local/redrive';

export interface LocalAlarm {
  /** The CDK alarm it stands for (docs/operations.md). */
  name: string;
  state: 'ALARM' | 'OK';
  metric: string;
  value: number;
  threshold: number;
  reason: string;
}

export interface WatchedConsumer {
  /** `audit` or `events`: the poller's consumer name. */
  readonly name: string;
  readonly queue: LocalFailureQueue;
  readonly handler: StreamBatchHandler;
  /** Iterator age threshold in ms. */
  readonly iteratorAgeThresholdMs: number;
}

export interface OperationsDeps {
  readonly consumers: readonly WatchedConsumer[];
  readonly iteratorAges: () => Record<string, number>;
  readonly reader: StreamRangeReader;
  readonly logger: (name: string) => Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** The alarms' states now. */
export function evaluateAlarms(deps: Pick<OperationsDeps, 'consumers' | 'iteratorAges'>): LocalAlarm[] {
  const ages = deps.iteratorAges();
  return deps.consumers.flatMap((c) => {
    const title = c.name[0]!.toUpperCase() + c.name.slice(1);
    const depth = c.queue.depth();
    const age = ages[c.name] ?? 0;
    return [
      {
        name: `Stream${title}FailuresAlarm`,
        state: depth >= ALARM_THRESHOLDS.queueMessages ? 'ALARM' : 'OK',
        metric: `${c.queue.name} ApproximateNumberOfMessagesVisible`,
        value: depth,
        threshold: ALARM_THRESHOLDS.queueMessages,
        reason:
          depth >= ALARM_THRESHOLDS.queueMessages
            ? `${depth} ${c.name} batch(es) failed past their retries and wait for the redrive (npm run redrive)`
            : 'no failed batch',
      },
      {
        name: `Stream${title}IteratorAgeAlarm`,
        state: age >= c.iteratorAgeThresholdMs ? 'ALARM' : 'OK',
        metric: `${c.name} IteratorAge (ms)`,
        value: age,
        threshold: c.iteratorAgeThresholdMs,
        reason: age >= c.iteratorAgeThresholdMs ? `the ${c.name} consumer is ${Math.round(age / 1000)} s behind the table` : 'caught up',
      },
    ] satisfies LocalAlarm[];
  });
}

/** Runs the redrive of the named consumers, one after the other. */
export async function redriveLocal(deps: OperationsDeps, names?: readonly string[]): Promise<RedriveReport[]> {
  const reports: RedriveReport[] = [];
  for (const c of deps.consumers.filter((x) => !names || names.includes(x.name))) {
    try {
      reports.push(await redriveFailures({ consumer: c.name, queue: c.queue, reader: deps.reader, handler: c.handler, logger: deps.logger(`${c.name}-redrive`) }));
    } finally {
      // What was kept is visible again for the next run (SQS: after the visibility timeout).
      c.queue.release();
    }
  }
  return reports;
}

export function operationsRoute(deps: OperationsDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === ALARMS_PATH) {
      if (req.method !== 'GET') return send(res, 405, { error: { code: 'method_not_allowed', message: 'GET' } });
      return send(res, 200, { alarms: evaluateAlarms(deps) });
    }
    if (url.pathname !== REDRIVE_PATH) return false;
    if (req.method !== 'POST') return send(res, 405, { error: { code: 'method_not_allowed', message: 'POST' } });
    const body = await readJson(req);
    const known = deps.consumers.map((c) => c.name);
    const consumer = body && typeof body === 'object' ? (body as Record<string, unknown>).consumer : undefined;
    if (body === undefined || (consumer !== undefined && (typeof consumer !== 'string' || !known.includes(consumer)))) {
      return send(res, 400, {
        error: { code: 'validation_failed', message: `Body must be {} or { "consumer": ${known.map((k) => JSON.stringify(k)).join(' | ')} }`, details: [{ path: 'body.consumer', message: `must be one of ${known.join(', ')}` }] },
      });
    }
    const reports = await redriveLocal(deps, typeof consumer === 'string' ? [consumer] : undefined);
    return send(res, 200, { reports });
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}
