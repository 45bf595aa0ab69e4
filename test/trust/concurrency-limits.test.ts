/**
 * Concurrency (issue 6, part 3) and limits (part 5), on one local stack.
 * - N parallel PATCHes with one `version`: exactly one wins, the rest get 409 `version_conflict`;
 * - N parallel creates with one `Idempotency-Key`: one record, every answer the same;
 * - counters stay exact under parallel writes: the dashboard's incident counts and the as-needed
 *   daily maximum (when those routes exist);
 * - page sizes are capped (limit > 100 is 400) on every list route, bodies over 256 KB get 413, and
 *   the gateway's per-client throttle answers 429 `rate_limited` when turned on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeParse } from 'zod/v4/core';
import { ROUTES, routeKey } from '../../lambdas/routes.js';
import { STAGE_THROTTLING } from '../../lib/config.js';
import { createThrottle, startGateway } from '../../local/gateway.js';
import { startTrustStack, type TrustStack } from './support/stack.js';

const N = 12;
let t: TrustStack;
let coordinator: string;
const has = (key: string) => ROUTES.some((r) => routeKey(r) === key);

beforeAll(async () => {
  t = await startTrustStack('concurrency');
  coordinator = t.token('coordinator');
});

afterAll(async () => {
  await t?.stop();
});

const newPatient = async (name: string) => {
  const res = await t.api(coordinator, 'POST', '/patients', { displayName: name, medicalRecordNumber: `CC-${name}-${Date.now()}` });
  expect(res.status).toBe(201);
  return res.body as { id: string; version: number };
};

describe('concurrency', () => {
  it('lets exactly one of N parallel PATCHes with the same version win', async () => {
    const p = await newPatient('patch');
    const answers = await Promise.all(
      Array.from({ length: N }, (_, i) => t.api(coordinator, 'PATCH', `/patients/${p.id}`, { version: p.version, room: `R${i}` })),
    );
    const won = answers.filter((a) => a.status === 200);
    const lost = answers.filter((a) => a.status === 409);
    console.log(`[trust] concurrency: ${N} parallel PATCHes with one version -> ${won.length} x 200, ${lost.length} x 409`);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(N - 1);
    expect(lost.every((a) => a.body.error.code === 'version_conflict')).toBe(true);
    const now = await t.api(coordinator, 'GET', `/patients/${p.id}`);
    expect(now.body).toMatchObject({ version: p.version + 1, room: won[0]!.body.room });
  });

  it('creates exactly one record from N parallel creates with one Idempotency-Key', async () => {
    const mrn = `CC-IDEM-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: N }, () =>
        t.api(coordinator, 'POST', '/patients', { displayName: 'Idem Parallel', medicalRecordNumber: mrn }, { 'Idempotency-Key': `idem-${mrn}` }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const ids = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id));
    const list = await t.api(coordinator, 'GET', '/patients?limit=100');
    const records = list.body.items.filter((p: { medicalRecordNumber: string }) => p.medicalRecordNumber === mrn);
    console.log(`[trust] concurrency: ${N} parallel creates with one Idempotency-Key -> statuses ${JSON.stringify(count(statuses))}, ${ids.size} distinct id(s), ${records.length} record(s)`);
    expect(records).toHaveLength(1);
    // Every answer is the first response replayed, or a 409 while the first is still in flight.
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it.runIf(has('POST /patients/{patientId}/incidents') && has('GET /patients/{patientId}/dashboard'))(
    'keeps the dashboard counts exact under parallel incident reports',
    async () => {
      const p = await newPatient('dashboard');
      const answers = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          t.api(coordinator, 'POST', `/patients/${p.id}/incidents`, {
            category: 'fall', severity: 'low', details: `Parallel ${i}`, occurredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(N).fill(201));
      const dashboard = (await t.api(coordinator, 'GET', `/patients/${p.id}/dashboard`)).body;
      const incidents = (await t.api(coordinator, 'GET', `/patients/${p.id}/incidents?limit=100`)).body.items;
      console.log(`[trust] concurrency: ${N} parallel incident reports -> dashboard incidentCount=${dashboard.incidentCount} openIncidentCount=${dashboard.openIncidentCount}, incidents listed=${incidents.length}`);
      expect(dashboard.incidentCount).toBe(N);
      expect(dashboard.openIncidentCount).toBe(N);
      expect(incidents).toHaveLength(N);
    },
  );

  it.runIf(has('POST /patients/{patientId}/medications') && has('POST /patients/{patientId}/doses'))(
    'never lets parallel as-needed doses exceed the daily maximum',
    async () => {
      const p = await newPatient('prn');
      const med = await t.api(coordinator, 'POST', `/patients/${p.id}/medications`, { name: 'Ibuprofen', dosage: '200 mg', schedule: { asNeeded: true, maxDosesPerDay: 3, timezone: 'UTC' } });
      expect(med.status).toBe(201);
      // Distinct times of the same (UTC) day, so none is a replay of another.
      const sinceMidnight = Date.now() % 86_400_000;
      const base = sinceMidnight < 10 * 60_000 ? Date.now() - sinceMidnight - 30 * 60_000 : Date.now() - 5 * 60_000;
      const answers = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          t.api(coordinator, 'POST', `/patients/${p.id}/doses`, { medicationId: med.body.id, takenAt: new Date(base + i * 1000).toISOString(), reason: 'Pain' }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      console.log(`[trust] concurrency: ${N} parallel as-needed doses, max 3 a day -> ${JSON.stringify(count(statuses))}`);
      expect(statuses.filter((s) => s === 201)).toHaveLength(3);
      expect(statuses.filter((s) => s === 409)).toHaveLength(N - 3);
    },
  );
});

describe('limits', () => {
  it('caps the page size on every list route: limit over 100 is 400, 100 is fine', async () => {
    // List routes: those whose query takes `limit` (read from the route table, so new lists join).
    const paged = ROUTES.filter((r) => r.method === 'GET' && r.query && safeParse(r.query, { limit: '100' }).success);
    const lists = paged.filter((r) => !r.path.includes('{'));
    const patientLists = paged.filter((r) => /^\/patients\/\{patientId\}\/[a-z-]+$/.test(r.path));
    const patientId = t.stack.demoUsers!.patients[0]!.patientId;
    let checked = 0;
    for (const r of [...lists, ...patientLists]) {
      const path = r.path.replace('{patientId}', patientId);
      if (path.includes('{')) continue;
      // Asked as a role the route admits (an aide's own list is not an admin's).
      const role = r.roles === 'any' || r.roles.includes('admin') ? 'admin' : r.roles[0]!;
      const over = await t.api(t.token(role), 'GET', `${path}?limit=101`);
      expect(over.status, `${routeKey(r)} limit=101`).toBe(400);
      expect(over.body.error.code).toBe('validation_failed');
      const max = await t.api(t.token(role), 'GET', `${path}?limit=100`);
      expect(max.status, `${routeKey(r)} limit=100`).toBe(200);
      checked += 1;
    }
    console.log(`[trust] limits: page size capped on ${checked} list routes`);
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('answers a body over 256 KB with 413 payload_too_large, and one just under it is read', async () => {
    const big = JSON.stringify({ displayName: 'x'.repeat(262_145), medicalRecordNumber: 'BIG-1' });
    const res = await t.api(coordinator, 'POST', '/patients', big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const under = await t.api(coordinator, 'POST', '/patients', JSON.stringify({ displayName: 'x'.repeat(250_000), medicalRecordNumber: 'BIG-2' }));
    expect(under.status).toBe(400); // read, then refused by validation (displayName is at most 200)
  });

  it('throttles per client with a token bucket: 429 rate_limited past the burst, refilled at the rate', () => {
    let now = 0;
    const bucket = createThrottle({ rateLimit: 10, burstLimit: 5 }, () => now);
    expect(Array.from({ length: 6 }, () => bucket.take('a'))).toEqual([true, true, true, true, true, false]);
    expect(bucket.take('b')).toBe(true); // another client has its own bucket
    now += 100; // 0.1 s at 10/s: one token back
    expect([bucket.take('a'), bucket.take('a')]).toEqual([true, false]);
  });

  it('answers 429 rate_limited over HTTP once a client exceeds the stage throttle, and not another client', async () => {
    const gateway = await startGateway({
      port: 0,
      routes: ROUTES,
      handlers: Object.fromEntries(ROUTES.map((r) => [r.fn, async () => ({ statusCode: 200, body: '{}' })])),
      verifyToken: async () => ({ sub: 'x', 'custom:orgId': 'o', 'cognito:groups': ['admin'] }) as never,
      corsAllowOrigins: '*',
      throttle: { rateLimit: 1, burstLimit: 3 },
    });
    try {
      const jwt = (sub: string) => `h.${Buffer.from(JSON.stringify({ sub })).toString('base64url')}.s`;
      const hit = (sub: string) => fetch(`${gateway.url}/me`, { headers: { authorization: `Bearer ${jwt(sub)}` } });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await hit('client-a')).status);
      const limited = await hit('client-a');
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      expect((await hit('client-b')).status).toBe(200);
      console.log(`[trust] limits: throttle rate 1/s burst 3 -> client-a ${statuses.join(',')},${limited.status}; client-b 200 (stage values ${JSON.stringify(STAGE_THROTTLING)})`);
    } finally {
      await gateway.stop();
    }
  });
});

function count(values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
