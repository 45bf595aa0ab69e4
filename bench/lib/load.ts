/**
 * The two load drivers: autocannon for HTTP routes (closed loop, `connections` in flight), and the
 * same closed loop over the raw DynamoDB calls a route makes, from this process. Both report
 * latency percentiles at full (sub-millisecond) resolution and throughput.
 */
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type BatchGetItemCommandInput,
  type DeleteItemCommandInput,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type QueryCommandInput,
  type TransactGetItemsCommandInput,
  type TransactWriteItemsCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import autocannon from 'autocannon';
import { ulid } from 'ulid';
import type { CapturedCall } from './stack-child.js';
import { percentile } from './stats.js';

export interface LoadStats {
  connections: number;
  requests: number;
  errors: number;
  durationS: number;
  throughputPerS: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** The first failure, when there were any. */
  firstError?: string;
}

function summarise(samples: number[], connections: number, errors: number, durationS: number): LoadStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    connections,
    requests: samples.length,
    errors,
    durationS,
    throughputPerS: samples.length / durationS,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * A body per request (the n-th from 0), for creating routes that refuse a repeat of the same body
   * (a booking of the same time is a 409). @default - `body` on every request
   */
  bodyFor?: (n: number) => string;
}

/** autocannon against one route; `duration` in seconds, or a fixed `amount` of requests. */
export async function httpLoad(spec: HttpRequestSpec, opts: { connections: number; duration?: number; amount?: number }): Promise<LoadStats> {
  const samples: number[] = [];
  let bad = 0;
  let sent = 0;
  const started = process.hrtime.bigint();
  const instance = autocannon({
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.bodyFor ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: spec.bodyFor!(sent++) }) }] } : {}),
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 5 }),
    timeout: 30,
  });
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status >= 200 && status < 300) samples.push(responseTime);
    else bad++;
  });
  const result = await instance;
  const durationS = Number(process.hrtime.bigint() - started) / 1e9;
  return summarise(samples, opts.connections, bad + result.errors + result.timeouts, durationS);
}

/** Sends one replayable operation; a captured input is the wire JSON of that operation's command input. */
type Send = (client: DynamoDBClient, input: object) => Promise<unknown>;
const SENDERS: Record<string, Send> = {
  GetItem: (client, input) => client.send(new GetItemCommand(input as GetItemCommandInput)),
  PutItem: (client, input) => client.send(new PutItemCommand(input as PutItemCommandInput)),
  UpdateItem: (client, input) => client.send(new UpdateItemCommand(input as UpdateItemCommandInput)),
  DeleteItem: (client, input) => client.send(new DeleteItemCommand(input as DeleteItemCommandInput)),
  Query: (client, input) => client.send(new QueryCommand(input as QueryCommandInput)),
  BatchGetItem: (client, input) => client.send(new BatchGetItemCommand(input as BatchGetItemCommandInput)),
  TransactGetItems: (client, input) => client.send(new TransactGetItemsCommand(input as TransactGetItemsCommandInput)),
  TransactWriteItems: (client, input) => client.send(new TransactWriteItemsCommand(input as TransactWriteItemsCommandInput)),
};

/**
 * A captured call made repeatable: every condition is widened to one that always holds (the
 * original condition is still evaluated, so the work is the same), so a replayed create or
 * versioned update succeeds again and again on the same keys instead of failing its condition.
 */
export function replayable(call: CapturedCall): CapturedCall {
  const always = (c: unknown) => (typeof c === 'string' ? `(${c}) OR attribute_exists(PK) OR attribute_not_exists(PK)` : c);
  const input = structuredClone(call.input);
  // The SDK fills in a fresh idempotency token on each send; a replayed one would make DynamoDB
  // answer from its idempotency cache (or refuse), doing none of the work.
  delete input.ClientRequestToken;
  if (input.ConditionExpression) input.ConditionExpression = always(input.ConditionExpression);
  for (const item of (input.TransactItems ?? []) as Array<Record<string, { ConditionExpression?: unknown } | undefined>>) {
    for (const op of Object.values(item)) if (op?.ConditionExpression) op.ConditionExpression = always(op.ConditionExpression);
  }
  return { ...call, input };
}

/** The same closed loop as autocannon's, over a sequence of raw DynamoDB calls. */
const ULID = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g;
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

/**
 * Ids the route minted for this one request (ULIDs in its writes that the request did not name):
 * the replay mints fresh ones each time, so it inserts new items as the route does instead of
 * overwriting one item again and again.
 */
export function mintedIds(calls: readonly CapturedCall[], requestUrl: string): string[] {
  const ids = new Set<string>();
  for (const c of calls) if (WRITES.has(c.operation)) for (const m of JSON.stringify(c.input).matchAll(ULID)) if (!requestUrl.includes(m[0])) ids.add(m[0]);
  return [...ids];
}

/**
 * Sends a call the way the Db does: a transaction cancelled only by a concurrent transaction is
 * tried again with the same jitter (lambdas/shared/data/db.ts, `transact`), so both sides pay for
 * contention on a shared item (a patient's dashboard) alike.
 */
async function sendLikeDb(send: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
      const conflictOnly = reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed');
      if (!(err instanceof Error && err.name === 'TransactionCanceledException' && conflictOnly && attempt < 8)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/**
 * The route's calls grouped as the route made them: a call sent while every call of the current
 * group was still in flight joins that group (the route awaited them together, `Promise.all`);
 * otherwise it starts the next group. The replay sends each group at once and the groups in order.
 */
export function concurrentWaves(calls: readonly Pick<CapturedCall, 'sentAt' | 'answeredAt'>[]): number[][] {
  const order = calls.map((_, i) => i).sort((a, b) => calls[a]!.sentAt - calls[b]!.sentAt);
  const waves: number[][] = [];
  for (const i of order) {
    const wave = waves.at(-1);
    if (wave && wave.every((j) => calls[i]!.sentAt < calls[j]!.answeredAt)) wave.push(i);
    else waves.push([i]);
  }
  return waves;
}

export async function rawLoad(
  client: DynamoDBClient,
  calls: readonly CapturedCall[],
  opts: { connections: number; duration?: number; amount?: number; freshIds?: readonly string[] },
): Promise<LoadStats> {
  const templates = calls.map((c) => {
    const send = SENDERS[c.operation];
    if (!send) throw new Error(`bench: cannot replay DynamoDB ${c.operation}`);
    return { send, json: JSON.stringify(replayable(c).input) };
  });
  const waves = concurrentWaves(calls);
  const fresh = opts.freshIds ?? [];
  const commandsFor = () => {
    const ids = fresh.map(() => ulid());
    return templates.map(({ send, json }) => {
      let text = json;
      fresh.forEach((id, i) => (text = text.replaceAll(id, ids[i]!)));
      return { send, input: JSON.parse(text) as Record<string, unknown> };
    });
  };
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const started = process.hrtime.bigint();
  const deadline = opts.duration ? started + BigInt(Math.round(opts.duration * 1e9)) : undefined;
  const more = () => (opts.amount ? issued < opts.amount : process.hrtime.bigint() < deadline!);
  const worker = async () => {
    while (more()) {
      issued++;
      const commands = commandsFor(); // built before the clock starts, as the route builds its own
      const t0 = process.hrtime.bigint();
      try {
        for (const wave of waves) await Promise.all(wave.map((i) => sendLikeDb(() => commands[i]!.send(client, commands[i]!.input))));
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const durationS = Number(process.hrtime.bigint() - started) / 1e9;
  return { ...summarise(samples, opts.connections, errors, durationS), ...(firstError ? { firstError } : {}) };
}
