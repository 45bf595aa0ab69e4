/**
 * One benchmark environment: DynamoDB Local, the table, the local stack in a child process with
 * seeded demo data, a real ID token, and the routes under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ROUTES } from '../../lambdas/routes.js';
import { createTable } from '../../local/dynamodb/create-table.js';
import { DYNAMODB_LOCAL_CREDENTIALS, DYNAMODB_LOCAL_REGION, startDynamoDbLocal } from '../../local/dynamodb/dynamodb-local.js';
import { signIn } from '../../test/support/client.js';
import type { HttpRequestSpec } from './load.js';
import { startStackProcess, type StackProcess } from './stack-process.js';

export interface BenchRoute {
  /** `GET /patients/{patientId}` */
  name: string;
  request: () => HttpRequestSpec;
}

export interface BenchEnv {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  stack: StackProcess;
  orgId: string;
  patientId: string;
  routes: BenchRoute[];
  /** Routes the brief names that this checkout does not have yet. */
  missingRoutes: string[];
  stop(): Promise<void>;
}

const WANTED = ['GET /patients/{patientId}', 'GET /patients', 'GET /patients/{patientId}/incidents', 'POST /patients/{patientId}/incidents'];

export interface BenchDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** DynamoDB Local for the whole run (in memory, or on disk for the 1M-item table). */
export async function startBenchDynamo(opts: { onDisk: boolean }): Promise<BenchDynamo> {
  const dbDir = opts.onDisk ? await mkdtemp(path.join(tmpdir(), 'carestack-bench-ddb-')) : undefined;
  const ddb = await startDynamoDbLocal(dbDir ? { dbPath: dbDir } : {});
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS });
  return {
    endpoint: ddb.endpoint,
    client,
    stop: async () => {
      client.destroy();
      await ddb.stop();
      if (dbDir) await rm(dbDir, { recursive: true, force: true });
    },
  };
}

/** A fresh table with the local stack (seeded) in a child process on it. */
export async function startBenchEnv(ddb: BenchDynamo, opts: { tableName: string; log: (s: string) => void }): Promise<BenchEnv> {
  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch((e: unknown) => console.error('[bench] cleanup failed', e));
  };
  try {
    const { tableName } = opts;
    const client = ddb.client;
    await createTable(client, tableName);
    cleanup.push(async () => void (await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined)));
    opts.log(`setup: table ${tableName}; starting the local stack in a child process`);
    const stack = await startStackProcess({ dynamodbEndpoint: ddb.endpoint, tableName });
    cleanup.push(() => stack.stop());
    const clinician = stack.demoUsers.users.find((u) => u.role === 'clinician')!;
    const token = await signIn(stack.outputs, clinician.email, clinician.password);
    const auth = { authorization: `Bearer ${token}` };
    // The clinician's patient (on the care team): the first seeded patient.
    const mine = (await (await fetch(`${stack.outputs.ApiUrl}/patients`, { headers: auth })).json()) as { items: Array<{ id: string }> };
    const patientId = mine.items[0]?.id;
    if (!patientId) throw new Error('bench: the clinician sees no patient');
    const api = stack.outputs.ApiUrl;
    const available = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const specs: Record<string, () => HttpRequestSpec> = {
      'GET /patients/{patientId}': () => ({ method: 'GET', url: `${api}/patients/${patientId}`, headers: auth }),
      'GET /patients': () => ({ method: 'GET', url: `${api}/patients`, headers: auth }),
      'GET /patients/{patientId}/incidents': () => ({ method: 'GET', url: `${api}/patients/${patientId}/incidents`, headers: auth }),
      'POST /patients/{patientId}/incidents': () => ({
        method: 'POST',
        url: `${api}/patients/${patientId}/incidents`,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          category: 'fall',
          severity: 'low',
          details: 'Benchmark: found sitting on the floor beside the bed, no injury.',
          occurredAt: new Date(Date.now() - 60 * 60 * 1000).toISOString(),
          location: 'Room 12',
        }),
      }),
    };
    const routes = WANTED.filter((name) => available.has(name)).map((name) => ({ name, request: specs[name]! }));
    return {
      endpoint: ddb.endpoint,
      tableName,
      client,
      stack,
      orgId: stack.demoUsers.orgId,
      patientId,
      routes,
      missingRoutes: WANTED.filter((name) => !available.has(name)),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Makes one request and checks it succeeds (a benchmark of failures measures nothing). */
export async function checkRoute(route: BenchRoute): Promise<void> {
  const r = route.request();
  const res = await fetch(r.url, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
  if (res.status >= 300) throw new Error(`bench: ${route.name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
}
