/**
 * The local stack, started in a child process for the benchmark (so the load generator and the raw
 * DynamoDB calls in the parent do not share an event loop with the gateway and the handlers).
 * Commands arrive over IPC: capacity totals (Db's onConsumedCapacity), capture of the DynamoDB
 * calls one request makes, settle, stop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConsumedCapacityReport } from '../../lambdas/shared/data/db.js';
import { startLocalStack } from '../../local/stack.js';

export interface CapturedCall {
  /** DynamoDB operation, e.g. `GetItem`. */
  operation: string;
  /** The request body as sent (DynamoDB's JSON wire format = the low-level SDK input). */
  input: Record<string, unknown>;
  /** When it was sent and answered (ms, process clock): calls that overlapped are replayed together. */
  sentAt: number;
  answeredAt: number;
}

export interface CapacityTotals {
  readCapacityUnits: number;
  writeCapacityUnits: number;
  calls: Record<string, number>;
}

const endpoint = process.env.BENCH_DYNAMODB_ENDPOINT!;
const tableName = process.env.BENCH_TABLE_NAME!;

/**
 * Marks work done while serving an HTTP request, so capacity and captured calls are the requests'
 * own: the stream consumers (audit, events, notification fan-out) share the stack's Db and client
 * but run from the poller, outside any request.
 */
const inRequest = new AsyncLocalStorage<true>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: called with each server as `this` below
const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
  if (event === 'request') return inRequest.run(true, () => emit.call(this, event, ...args));
  return emit.call(this, event, ...args);
} as typeof emit;

let totals: CapacityTotals = { readCapacityUnits: 0, writeCapacityUnits: 0, calls: {} };
let capturing: CapturedCall[] | undefined;

const dataDir = await mkdtemp(path.join(tmpdir(), 'carestack-bench-'));
const stack = await startLocalStack({
  dataDir,
  inMemory: true,
  ports: { api: 0, cognito: 0, graphql: 0, dynamodb: 0 },
  dynamodbEndpoint: endpoint,
  tableName,
  quiet: true,
  dbOptions: {
    onConsumedCapacity: (r: ConsumedCapacityReport) => {
      if (!inRequest.getStore()) return;
      totals.readCapacityUnits += r.readCapacityUnits;
      totals.writeCapacityUnits += r.writeCapacityUnits;
      totals.calls[r.operation] = (totals.calls[r.operation] ?? 0) + 1;
    },
  },
  instrumentDynamo: (client: DynamoDBClient) => {
    // After serialisation: the exact operation and body that go over the wire.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
        const target = request?.headers?.['x-amz-target'];
        const body = request?.body;
        const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : undefined;
        if (!(capturing && inRequest.getStore() && target && text !== undefined)) return next(args);
        const call: CapturedCall = {
          operation: target.split('.')[1]!,
          input: JSON.parse(text) as Record<string, unknown>,
          sentAt: performance.now(),
          answeredAt: Number.POSITIVE_INFINITY,
        };
        capturing.push(call);
        try {
          return await next(args);
        } finally {
          call.answeredAt = performance.now();
        }
      },
      { step: 'build', name: 'benchCapture' },
    );
  },
});

const reply = (id: number, payload: unknown) => process.send!({ id, payload });

async function handle(message: { id: number; cmd: string }): Promise<unknown> {
  try {
    switch (message.cmd) {
      case 'capacity:reset':
        totals = { readCapacityUnits: 0, writeCapacityUnits: 0, calls: {} };
        return reply(message.id, null);
      case 'capacity:read':
        return reply(message.id, totals);
      case 'capture:start':
        capturing = [];
        return reply(message.id, null);
      case 'capture:stop': {
        const calls = capturing ?? [];
        capturing = undefined;
        return reply(message.id, calls);
      }
      case 'settle':
        await stack.settle(600_000);
        return reply(message.id, null);
      case 'stop':
        await stack.stop();
        await rm(dataDir, { recursive: true, force: true });
        reply(message.id, null);
        return setTimeout(() => process.exit(0), 50);
      default:
        return reply(message.id, { error: `unknown command ${message.cmd}` });
    }
  } catch (err) {
    return reply(message.id, { error: err instanceof Error ? err.message : String(err) });
  }
}
// `handle` answers every failure itself, so nothing is left to await here.
process.on('message', (message: { id: number; cmd: string }) => void handle(message));

// The parent going away ends this process too.
process.on('disconnect', () => {
  void stack.stop().finally(() => process.exit(0));
});

process.send!({ id: 0, payload: { outputs: stack.outputs, demoUsers: stack.demoUsers } });
