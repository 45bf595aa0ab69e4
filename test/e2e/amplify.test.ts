/**
 * A real Amplify v6 app (in Node) against `npm start`'s stack with TLS, configured only from
 * outputs.json: `signIn()` with its default flow (USER_SRP_AUTH) against the local pool, a REST call
 * with the ID token from `fetchAuthSession()`, and a GraphQL subscription through `generateClient()`
 * in `userPool` auth mode (Amplify sends the access token, over wss:// at `<GraphqlUrl>/realtime`)
 * that receives a `PatientUpdated` event. The self-signed certificate is trusted in this process
 * only, as a custom CA of the WebSocket Amplify opens. The same client then runs queries and
 * mutations (issue 22): list patients, who am I, report an incident with an idempotencyKey, read the
 * dashboard, see the incident arrive on onPatientEvent, and a `not_found` errorType across orgs.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { generateClient, get, post } from 'aws-amplify/api';
import { decodeJwt } from 'jose';
import type { LocalStack } from '../../local/stack.js';
import { apiClient } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
const originalWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
const originalFetch = globalThis.fetch;
/** What Amplify asked the pool (operation and auth flow or challenge) and which sockets it opened. */
const cognitoCalls: string[] = [];
const sockets: Array<{ url: string; protocols: string[] }> = [];

beforeAll(async () => {
  stack = await startTestStack('e2e-amplify', { tls: true, ports: { api: 0, cognito: 0, graphql: 0, graphqlTls: 0 } });
  // Amplify uses the global WebSocket; this one is `ws` trusting the stack's certificate (this process only), and records what Amplify opened.
  const ca = readFileSync(stack.certificatePath!);
  (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ca });
      sockets.push({ url: String(url), protocols: [protocols ?? []].flat() });
    }
  };
  globalThis.fetch = async (input, init) => {
    // Node's fetch cannot be given a CA: Amplify's GraphQL POSTs to the https GraphqlUrl go over
    // node:https trusting the stack's certificate (the request is Amplify's as it is).
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(stack.outputs.GraphqlUrl)) return httpsFetch(url, init, ca);
    const target = new Headers(init?.headers).get('x-amz-target');
    if (target && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { AuthFlow?: string; ChallengeName?: string };
      cognitoCalls.push([target.split('.').pop(), body.AuthFlow ?? body.ChallengeName].filter(Boolean).join(' '));
    }
    return originalFetch(input, init);
  };
  const o = stack.outputs;
  Amplify.configure({
    Auth: { Cognito: { userPoolId: o.UserPoolId, userPoolClientId: o.UserPoolClientId, userPoolEndpoint: o.CognitoEndpoint } },
    API: {
      GraphQL: { endpoint: o.GraphqlUrl, region: o.Region, defaultAuthMode: 'userPool' },
      REST: { carestack: { endpoint: o.ApiUrl } },
    },
  });
});

/** What Amplify's REST client threw, as an app sees it. */
async function amplifyError(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await call;
  } catch (e) {
    const err = e as Error & { response?: { statusCode?: number } };
    return { name: err.name, message: err.message, status: err.response?.statusCode };
  }
  throw new Error('the request succeeded; an error was expected');
}

/** A fetch over node:https with a custom CA (string bodies only, which is what Amplify's GraphQL client sends). */
function httpsFetch(url: string, init: RequestInit | undefined, ca: Buffer): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const req = httpsRequest(url, { method: init?.method ?? 'GET', headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: out }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (typeof init?.body === 'string') req.write(init.body);
    else if (init?.body != null) return reject(new Error('httpsFetch: only string bodies'));
    req.end();
  });
}

afterAll(async () => {
  await signOut().catch(() => undefined);
  (globalThis as { WebSocket?: unknown }).WebSocket = originalWebSocket;
  globalThis.fetch = originalFetch;
  await stopTestStack(stack);
});

const SUBSCRIPTION = /* GraphQL */ `
  subscription OnPatientEvent($patientId: ID!) {
    onPatientEvent(patientId: $patientId) { id orgId patientId type entityType entityId at data }
  }
`;

describe('an Amplify v6 app, unchanged, against the local stack', () => {
  it("names REST errors by the contract's code and message (x-amzn-ErrorType, top-level message)", async () => {
    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    const idToken = await (await import('../support/client.js')).signIn(stack.outputs, coordinator.email, coordinator.password);
    const headers = { Authorization: `Bearer ${idToken}` };

    // From the function's middleware: a body the schema refuses.
    const invalid = await amplifyError(post({ apiName: 'carestack', path: '/patients', options: { headers, body: { displayName: 'X', ssn: '1' } } }).response);
    expect(invalid).toMatchObject({ name: 'validation_failed', status: 400 });
    expect(invalid.message).not.toMatch(/unknown error/i);
    expect(invalid.message.length).toBeGreaterThan(0);

    // From the gateway itself: no token, then an unknown path.
    const anonymous = await amplifyError(post({ apiName: 'carestack', path: '/patients', options: { body: { displayName: 'X' } } }).response);
    expect(anonymous).toEqual({ name: 'unauthenticated', message: 'Missing Authorization header', status: 401 });
    const missing = await amplifyError(get({ apiName: 'carestack', path: '/no-such-thing', options: { headers } }).response);
    expect(missing).toEqual({ name: 'not_found', message: 'No route for /no-such-thing', status: 404 });
  });

  it('gets https and wss URLs it can use as they are', () => {
    expect(stack.outputs.GraphqlUrl).toMatch(/^https:\/\//);
    expect(stack.outputs.RealtimeUrl).toBe(`${stack.outputs.GraphqlUrl.replace(/^https/, 'wss')}/realtime`);
  });

  it('signs in with SRP, calls REST with the ID token, and receives PatientUpdated over a userPool subscription', async () => {
    const family = stack.demoUsers!.users.find((u) => u.role === 'family')!;
    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    const margaret = stack.demoUsers!.patients[0]!.patientId;

    const result = await signIn({ username: family.email, password: family.password });
    expect(result).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(cognitoCalls).toEqual(['InitiateAuth USER_SRP_AUTH', 'RespondToAuthChallenge PASSWORD_VERIFIER']);
    const session = await fetchAuthSession();
    const idToken = session.tokens!.idToken!.toString();
    expect(decodeJwt(session.tokens!.accessToken.toString())).toMatchObject({ token_use: 'access', 'custom:orgId': stack.demoUsers!.orgId });

    const api = apiClient(stack.outputs);
    const me = await api(idToken, 'GET', '/me');
    expect(me.body).toMatchObject({ userId: family.userId, roles: ['family'] });

    const client = generateClient();
    const received: Array<{ type: string; patientId: string; entityId: string }> = [];
    const errors: unknown[] = [];
    const subscription = (client.graphql({ query: SUBSCRIPTION, variables: { patientId: margaret } }) as unknown as {
      subscribe(o: { next(v: { data: { onPatientEvent: (typeof received)[number] } }): void; error(e: unknown): void }): { unsubscribe(): void };
    }).subscribe({ next: (v) => void received.push(v.data.onPatientEvent), error: (e) => void errors.push(e) });
    try {
      // The subscription is live once AppSync's start_ack arrived; give the handshake a moment, then change the patient until an event shows up.
      const staff = await (await import('../support/client.js')).signIn(stack.outputs, coordinator.email, coordinator.password);
      const deadline = Date.now() + 30_000;
      let n = 0;
      while (!received.some((e) => e.type === 'PatientUpdated') && Date.now() < deadline && errors.length === 0) {
        const current = await api(staff, 'GET', `/patients/${margaret}`);
        await api(staff, 'PATCH', `/patients/${margaret}`, { version: current.body.version, room: `A-${++n}` });
        await stack.settle();
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(errors).toEqual([]);
      expect(received).toContainEqual(expect.objectContaining({ type: 'PatientUpdated', patientId: margaret, entityId: margaret }));
      // Over wss:// at <GraphqlUrl>/realtime, with the access token in the header- subprotocol.
      expect(sockets).toHaveLength(1);
      expect(sockets[0]!.url.startsWith(stack.outputs.RealtimeUrl)).toBe(true);
      const header = sockets[0]!.protocols.find((p) => p.startsWith('header-'))!;
      const auth = JSON.parse(Buffer.from(header.slice('header-'.length), 'base64url').toString()) as { Authorization: string };
      expect(decodeJwt(auth.Authorization).token_use).toBe('access');
    } finally {
      subscription.unsubscribe();
    }
  });

  it('runs queries and mutations through generateClient() with the access token, as REST answers them', async () => {
    await signOut();
    const coordinator = stack.demoUsers!.users.find((u) => u.role === 'coordinator')!;
    const margaret = stack.demoUsers!.patients[0]!.patientId;
    const otherOrgPatient = stack.demoUsers!.otherOrg.patients[0]!.patientId;
    await signIn({ username: coordinator.email, password: coordinator.password });
    const session = await fetchAuthSession();
    const idToken = session.tokens!.idToken!.toString();
    const api = apiClient(stack.outputs);
    const client = generateClient();
    type Answer<T> = { data: T; errors?: Array<{ errorType?: string; message: string }> };
    // Amplify types variables from a typed document; these queries are plain strings.
    const run = async <T,>(query: string, variables: Record<string, unknown> = {}) => (await client.graphql({ query, variables: variables as never })) as Answer<T>;

    const received: Array<{ type: string; entityId: string }> = [];
    const errors: unknown[] = [];
    const subscription = (client.graphql({ query: SUBSCRIPTION, variables: { patientId: margaret } }) as unknown as {
      subscribe(o: { next(v: { data: { onPatientEvent: (typeof received)[number] } }): void; error(e: unknown): void }): { unsubscribe(): void };
    }).subscribe({ next: (v) => void received.push(v.data.onPatientEvent), error: (e) => void errors.push(e) });
    try {
      // A query: the same patients as REST lists with the ID token.
      const list = await run<{ listPatients: { items: Array<{ id: string; displayName: string }> } }>('query { listPatients(limit: 100) { items { id displayName } nextCursor } }');
      const rest = await api(idToken, 'GET', '/patients?limit=100');
      expect(list.data.listPatients.items).toEqual(rest.body.items.map((p: { id: string; displayName: string }) => ({ id: p.id, displayName: p.displayName })));

      // Who am I, with the access token: email and name as REST gives them with the ID token.
      const me = await run<{ getMe: Record<string, unknown> }>('query { getMe { userId email displayName orgId roles } }');
      expect(me.data.getMe).toEqual({ userId: coordinator.userId, email: coordinator.email, displayName: (await api(idToken, 'GET', '/me')).body.displayName, orgId: stack.demoUsers!.orgId, roles: ['coordinator'] });
      expect(me.data.getMe.displayName).not.toBe('');

      // A mutation with an idempotencyKey, sent twice: one incident.
      const report = 'mutation Report($p: ID!, $i: ReportIncidentInput!, $k: String) { reportIncident(patientId: $p, input: $i, idempotencyKey: $k) { id status severity reportedBy } }';
      const input = { category: 'fall', severity: 'high', details: 'Slipped in the bathroom (Amplify).', occurredAt: new Date(Date.now() - 120_000).toISOString() };
      const before = await run<{ getPatientDashboard: { incidentCount: number; openIncidentCount: number } }>('query ($p: ID!) { getPatientDashboard(patientId: $p) { incidentCount openIncidentCount } }', { p: margaret });
      const first = await run<{ reportIncident: { id: string; status: string; reportedBy: string } }>(report, { p: margaret, i: input, k: 'amplify-report-1' });
      const again = await run<{ reportIncident: { id: string } }>(report, { p: margaret, i: input, k: 'amplify-report-1' });
      expect(first.data.reportIncident).toMatchObject({ status: 'open', severity: 'high', reportedBy: coordinator.userId });
      expect(again.data.reportIncident.id).toBe(first.data.reportIncident.id);

      // The dashboard counts it once (counters follow the incident's stream), and the change arrives on the subscription.
      await stack.settle();
      const dashboard = await run<{ getPatientDashboard: { incidentCount: number; openIncidentCount: number; statusOverview: { open: number } } }>(
        'query ($p: ID!) { getPatientDashboard(patientId: $p) { patientId incidentCount openIncidentCount statusOverview { open investigating resolved } lastIncidentAt } }',
        { p: margaret },
      );
      expect(dashboard.data.getPatientDashboard).toMatchObject({ incidentCount: before.data.getPatientDashboard.incidentCount + 1, openIncidentCount: before.data.getPatientDashboard.openIncidentCount + 1 });
      const deadline = Date.now() + 15_000;
      while (!received.some((e) => e.entityId === first.data.reportIncident.id) && Date.now() < deadline && errors.length === 0) await new Promise((r) => setTimeout(r, 200));
      expect(errors).toEqual([]);
      expect(received).toContainEqual(expect.objectContaining({ type: 'IncidentReported', entityId: first.data.reportIncident.id }));

      // Another org's patient: Amplify rejects with AppSync's errors; the errorType is the REST code.
      const refused = await run('query ($p: ID!) { getPatient(patientId: $p) { id displayName } }', { p: otherOrgPatient }).then(
        () => undefined,
        (err: unknown) => err as Answer<{ getPatient: null }>,
      );
      expect(refused?.data).toEqual({ getPatient: null });
      expect(refused?.errors).toEqual([expect.objectContaining({ errorType: 'not_found' })]);
    } finally {
      subscription.unsubscribe();
    }
  });
});
