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
  /**
   * The routes of the cost section: `routes` and the bookings and day views of the concierge and
   * home-health domains, whose capacity per request must not grow with the table.
   */
  costRoutes: BenchRoute[];
  /** Routes the brief names that this checkout does not have yet. */
  missingRoutes: string[];
  stop(): Promise<void>;
}

const WANTED = ['GET /patients/{patientId}', 'GET /patients', 'GET /patients/{patientId}/incidents', 'POST /patients/{patientId}/incidents'];
const COST_ONLY = [
  'GET /providers/{providerId}/slots',
  'POST /patients/{patientId}/appointments',
  'GET /visits',
  'GET /me/route',
];

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
    const costSpecs = await domainSpecs(stack, api, patientId);
    const costRoutes = [...routes, ...COST_ONLY.filter((name) => available.has(name)).map((name) => ({ name, request: costSpecs[name]! }))];
    return {
      endpoint: ddb.endpoint,
      tableName,
      client,
      stack,
      orgId: stack.demoUsers.orgId,
      patientId,
      routes,
      costRoutes,
      missingRoutes: [...WANTED, ...COST_ONLY].filter((name) => !available.has(name)),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The concierge and home-health routes of the cost section, with what they need: the clinician's
 * provider profile (all week, 30-minute slots), the aide's profile and a day of visits assigned to
 * them tomorrow (so the day view and the route have something to read), and bookings each at their
 * own half hour (a repeated time would be a 409, which is not the cost of a booking).
 */
async function domainSpecs(stack: StackProcess, api: string, patientId: string): Promise<Record<string, () => HttpRequestSpec>> {
  const user = (role: string) => stack.demoUsers.users.find((u) => u.role === role)!;
  const tokenOf = async (role: string) => ({ authorization: `Bearer ${await signIn(stack.outputs, user(role).email, user(role).password)}` });
  const [admin, coordinator, aide] = [await tokenOf('admin'), await tokenOf('coordinator'), await tokenOf('aide')];
  const json = { 'content-type': 'application/json' };
  const call = async (headers: Record<string, string>, method: string, path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, { method, headers: { ...headers, ...json }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`bench setup: ${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const week = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['00:00', '23:30']]]));
  const providerId = user('clinician').userId;
  await call(admin, 'POST', '/providers', { userId: providerId, specialty: 'general', timezone: 'UTC', availability: week, slotMinutes: 30, minNoticeMinutes: 0 });
  const aideId = user('aide').userId;
  await call(admin, 'PUT', `/aides/${aideId}`, { skills: ['personal_care'], homeBase: { lat: 40.0, lng: -75.0 }, serviceRadiusKm: 50, availability: week, timezone: 'UTC' });
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  for (let h = 8; h < 16; h += 2) {
    const visit = await call(coordinator, 'POST', `/patients/${patientId}/visits`, {
      serviceType: 'personal_care',
      scheduledStart: `${day}T${String(h).padStart(2, '0')}:00:00.000Z`,
      scheduledEnd: `${day}T${String(h + 1).padStart(2, '0')}:00:00.000Z`,
      location: { lat: 40.0 + h / 100, lng: -75.0, address: `${h} Bench Street` },
    });
    await call(coordinator, 'POST', `/patients/${patientId}/visits/${visit.id as string}/assign`, { aideId });
  }
  // Bookings from the day after tomorrow, each 30 minutes after the last (a run makes ~700: about
  // 15 days). The slot search looks at a week after them, with the same six appointments at every
  // table size: its cost follows the appointments in its window, so those must not change.
  const first = Date.parse(`${new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)}T00:00:00.000Z`);
  const from = new Date(first + 30 * 86_400_000).toISOString();
  const to = new Date(first + 37 * 86_400_000).toISOString();
  for (let d = 0; d < 6; d++) {
    await call(coordinator, 'POST', `/patients/${patientId}/appointments`, { providerId, startAt: new Date(Date.parse(from) + d * 86_400_000 + 10 * 3_600_000).toISOString(), durationMinutes: 30 });
  }
  let booked = 0;
  return {
    'GET /providers/{providerId}/slots': () => ({ method: 'GET', url: `${api}/providers/${providerId}/slots?from=${from}&to=${to}`, headers: coordinator }),
    'POST /patients/{patientId}/appointments': () => ({
      method: 'POST',
      url: `${api}/patients/${patientId}/appointments`,
      headers: { ...coordinator, ...json },
      bodyFor: () => JSON.stringify({ providerId, startAt: new Date(first + booked++ * 30 * 60_000).toISOString(), durationMinutes: 30, reason: 'Benchmark' }),
    }),
    'GET /visits': () => ({ method: 'GET', url: `${api}/visits?date=${day}`, headers: coordinator }),
    'GET /me/route': () => ({ method: 'GET', url: `${api}/me/route?date=${day}`, headers: aide }),
  };
}

/** Makes one request and checks it succeeds (a benchmark of failures measures nothing). */
export async function checkRoute(route: BenchRoute): Promise<void> {
  const r = route.request();
  const body = r.bodyFor ? r.bodyFor(0) : r.body;
  const res = await fetch(r.url, { method: r.method, headers: r.headers, ...(body ? { body } : {}) });
  if (res.status >= 300) throw new Error(`bench: ${route.name} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
}
