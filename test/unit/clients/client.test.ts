/**
 * The client package (clients/typescript) over a fake fetch: calls by operation name and by path,
 * the token on every request, Idempotency-Key on idempotent creates, retries with backoff and jitter
 * on 429/503 only when repeating is safe, one error class; and its generated half matches the route
 * table and the GraphQL schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lambdas/routes.js';
import { buildAppSyncSchema } from '../../../local/realtime/schema.js';
import { CareStackError, createCareStackClient, OPERATIONS } from '../../../clients/typescript/src/index.js';
import * as documents from '../../../clients/typescript/src/generated/graphql.js';

const API = 'https://api.example.test/prod';
const incident = { category: 'fall', severity: 'high', details: 'Slipped in the hall', occurredAt: '2026-03-01T09:00:00Z' } as const;

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** A fetch that records each request and answers from a script (the last answer repeats). */
function fakeFetch(...answers: Array<() => Response>) {
  const seen: Seen[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, body: await request.text() });
    return answers[Math.min(seen.length - 1, answers.length - 1)]!();
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const failure = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  json(status, { message, error: { code, message, ...extra } }, { 'x-amzn-ErrorType': code, 'x-request-id': `req-${status}` });

describe('createCareStackClient', () => {
  it('calls an operation by name: method and path from the route table, the token, a JSON body, the data back', async () => {
    const { fetch, seen } = fakeFetch(json(201, { id: 'inc-1', ...incident }));
    let calls = 0;
    const api = createCareStackClient({ apiUrl: API, token: () => `token-${++calls}`, fetch });

    const created = await api.reportIncident({ params: { path: { patientId: 'p-1' } }, body: incident });

    expect(created).toMatchObject({ id: 'inc-1', severity: 'high' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: `${API}/patients/p-1/incidents` });
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer token-1');
    expect(JSON.parse(seen[0]!.body)).toEqual(incident);
  });

  it('calls by path as openapi-fetch does, with the query serialised', async () => {
    const { fetch, seen } = fakeFetch(json(200, { items: [], nextCursor: null }));
    const api = createCareStackClient({ apiUrl: API, token: () => 't', fetch });

    const { data } = await api.GET('/patients', { params: { query: { limit: 5 } } });

    expect(data).toEqual({ items: [], nextCursor: null });
    expect(seen[0]).toMatchObject({ method: 'GET', url: `${API}/patients?limit=5` });
  });

  it('sends a fresh Idempotency-Key on an idempotent create unless one is given, and none elsewhere', async () => {
    const { fetch, seen } = fakeFetch(json(201, { id: 'inc-1' }), json(201, { id: 'inc-2' }), json(200, { id: 'inc-1' }));
    const api = createCareStackClient({ apiUrl: API, token: () => 't', fetch });

    await api.reportIncident({ params: { path: { patientId: 'p-1' } }, body: incident });
    await api.reportIncident({ params: { path: { patientId: 'p-1' } }, body: incident, headers: { 'Idempotency-Key': 'mine' } });
    await api.updateIncident({ params: { path: { patientId: 'p-1', incidentId: 'inc-1' } }, body: { version: 1, status: 'investigating' } });

    expect(seen[0]!.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[1]!.headers.get('idempotency-key')).toBe('mine');
    expect(seen[2]!.headers.has('idempotency-key')).toBe(false);
  });

  it('retries 503 and 429 of a read with full-jitter exponential backoff, honouring Retry-After', async () => {
    const { fetch, seen } = fakeFetch(failure(503, 'internal', 'busy'), failure(429, 'rate_limited', 'slow down', {}), json(200, { items: [], nextCursor: null }));
    const slept: number[] = [];
    const api = createCareStackClient({ apiUrl: API, fetch, sleep: async (ms) => void slept.push(ms), random: () => 0.5, retry: { attempts: 3, baseDelayMs: 100 } });

    const page = await api.listPatients();

    expect(page).toEqual({ items: [], nextCursor: null });
    expect(seen.map((s) => s.method)).toEqual(['GET', 'GET', 'GET']);
    expect(slept).toEqual([50, 100]); // 0.5 x 100, then 0.5 x 200

    const late = fakeFetch(json(429, { message: 'later', error: { code: 'rate_limited', message: 'later' } }, { 'retry-after': '2' }), json(200, { items: [], nextCursor: null }));
    const waits: number[] = [];
    await createCareStackClient({ apiUrl: API, fetch: late.fetch, sleep: async (ms) => void waits.push(ms), random: () => 0.5 }).listPatients();
    expect(waits).toEqual([2000]);
  });

  it('retries an idempotent create with the same key and body, and never a PATCH', async () => {
    const create = fakeFetch(failure(503, 'internal', 'busy'), json(201, { id: 'inc-1' }));
    const api = createCareStackClient({ apiUrl: API, fetch: create.fetch, sleep: async () => undefined });
    await api.reportIncident({ params: { path: { patientId: 'p-1' } }, body: incident });
    expect(create.seen).toHaveLength(2);
    expect(create.seen[1]!.headers.get('idempotency-key')).toBe(create.seen[0]!.headers.get('idempotency-key'));
    expect(create.seen[1]!.body).toBe(create.seen[0]!.body);

    const patch = fakeFetch(failure(503, 'internal', 'busy'), json(200, { id: 'inc-1' }));
    const once = createCareStackClient({ apiUrl: API, fetch: patch.fetch, sleep: async () => undefined });
    const error = await once.updateIncident({ params: { path: { patientId: 'p-1', incidentId: 'inc-1' } }, body: { version: 1, status: 'resolved' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CareStackError);
    expect(error).toMatchObject({ status: 503 });
    expect(patch.seen).toHaveLength(1);
  });

  it('gives up after the last attempt with the server error', async () => {
    const { fetch, seen } = fakeFetch(failure(429, 'rate_limited', 'Too many requests'));
    const api = createCareStackClient({ apiUrl: API, fetch, sleep: async () => undefined, retry: { attempts: 4 } });
    const error = await api.listPatients().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CareStackError', status: 429, code: 'rate_limited', message: 'Too many requests', requestId: 'req-429' });
    expect(seen).toHaveLength(4);
  });

  it('throws one error class with status, code, message, details and the request id', async () => {
    const details = [{ path: 'body.severity', message: 'Invalid option' }];
    const { fetch } = fakeFetch(failure(400, 'validation_failed', 'The request is not valid', { details }));
    const api = createCareStackClient({ apiUrl: API, token: () => 't', fetch });

    const error = await api.reportIncident({ params: { path: { patientId: 'p-1' } }, body: incident }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CareStackError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: 'The request is not valid', details, requestId: 'req-400' });
  });

  it('reads the code from x-amzn-ErrorType when the body is not the contract shape', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>bad gateway</html>', { status: 502, headers: { 'x-amzn-ErrorType': 'internal' } }));
    const error = await createCareStackClient({ apiUrl: API, fetch }).getHealth().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'internal' });
  });
});

describe('the generated half', () => {
  it('has every route of the route table by its operation name, with its method, path and idempotency', () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(ROUTES.map((r) => r.operation).sort());
    for (const r of ROUTES) {
      expect(OPERATIONS[r.operation as keyof typeof OPERATIONS], r.operation).toEqual({ method: r.method, path: r.path, idempotent: r.idempotent ?? false });
    }
  });

  it('has a GraphQL document for every query, mutation and subscription, each valid against the schema', () => {
    const schema = buildAppSyncSchema(readFileSync(path.resolve(import.meta.dirname, '../../../schemas/api.graphql'), 'utf8'));
    const fields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()).filter((f) => f !== 'publish'),
      ...Object.keys(schema.getSubscriptionType()!.getFields()),
    ];
    const exported = documents as unknown as Record<string, unknown>;
    for (const field of fields) {
      const doc = exported[field];
      expect(typeof doc, field).toBe('string');
      expect(validate(schema, parse(doc as string)).map((e) => e.message), field).toEqual([]);
    }
    expect(Object.values(exported).filter((v) => typeof v === 'string')).toHaveLength(fields.length);
  });
});
