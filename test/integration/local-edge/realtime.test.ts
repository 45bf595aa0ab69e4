import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CareEvent } from '../../../lambdas/shared/events/care-event.js';
import { createTokenVerifier, startLocalUserPool, type LocalUserPool } from '../../../local/cognito/index.js';
import { startRealtimeServer, type AuthorizeSubscription, type RealtimeServer } from '../../../local/realtime/index.js';
import type { Json } from '../../support/json.js';
import { rawText } from '../../support/client.js';

type Message = { type: string; id?: string; payload?: Json };

/** A minimal AppSync realtime client over `ws`, speaking the protocol by hand. */
class Client {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  readonly closed: Promise<number>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(rawText(raw)) as Message;
      const i = this.waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else this.messages.push(m);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static async open(url: string, protocols: string[]): Promise<Client> {
    const ws = new WebSocket(url, protocols);
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The next message (not a ka unless asked for) matching, from the buffer or the wire. */
  next(match: (m: Message) => boolean = (m) => m.type !== 'ka', timeoutMs = 2000): Promise<Message> {
    const i = this.messages.findIndex(match);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; buffered: ${JSON.stringify(this.messages)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  async init(): Promise<Message> {
    this.send({ type: 'connection_init' });
    return this.next();
  }

  async start(id: string, query: string, variables: Record<string, unknown> = {}, authorization?: string): Promise<Message> {
    this.send({
      id,
      type: 'start',
      payload: {
        data: JSON.stringify({ query, variables }),
        extensions: { authorization: authorization ? { Authorization: authorization, host: 'localhost' } : {} },
      },
    });
    return this.next((m) => m.id === id);
  }

  close(): void {
    this.ws.close();
  }
}

const ON_PATIENT = `subscription OnPatient($patientId: ID!) {
  onPatientEvent(patientId: $patientId) { id type patientId kind: entityType data at }
}`;
const ON_MY = `subscription { onMyEvent { __typename id recipientId type ...Extra } }
fragment Extra on CareEvent { orgId data }`;

const event = (overrides: Partial<CareEvent>): CareEvent => ({
  id: 'e-1',
  orgId: 'org-1',
  patientId: 'p-1',
  recipientId: null,
  type: 'IncidentReported',
  entityType: 'Incident',
  entityId: 'i-1',
  at: '2026-11-21T10:00:00.000Z',
  data: { changed: ['status'] },
  ...overrides,
});

describe('local AppSync realtime endpoint', () => {
  let pool: LocalUserPool;
  let server: RealtimeServer;
  const tokens: Record<string, string> = {};
  const subs: Record<string, string> = {};
  const clients: Client[] = [];
  const decisions: { sub: string; fieldName: string; args: Record<string, unknown> }[] = [];

  /** The care team: who may see which patient. */
  const careTeam: Record<string, string[]> = { nurse: ['p-1', 'p-9'], other: ['p-1', 'p-9'], outsider: [] };
  const authorizeSubscription: AuthorizeSubscription = async (claims, fieldName, args) => {
    decisions.push({ sub: claims.sub, fieldName, args });
    if (fieldName === 'onMyEvent') return { allowed: true };
    const who = Object.keys(subs).find((k) => subs[k] === claims.sub)!;
    return { allowed: careTeam[who]!.includes(String(args.patientId)) };
  };

  const headerParam = (token: string) => Buffer.from(JSON.stringify({ Authorization: token, host: 'localhost' })).toString('base64');
  const headerProtocol = (token: string) => `header-${Buffer.from(JSON.stringify({ Authorization: token, host: 'localhost' })).toString('base64url')}`;
  const connect = async (who: string, style: 'query' | 'subprotocol' = 'query') => {
    const client =
      style === 'query'
        ? await Client.open(`${server.realtimeUrl}?header=${encodeURIComponent(headerParam(tokens[who]!))}&payload=e30=`, ['graphql-ws'])
        : await Client.open(server.realtimeUrl, ['graphql-ws', headerProtocol(tokens[who]!)]);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    pool = await startLocalUserPool({ port: 0 });
    const { userPoolId, clientId } = await pool.ensurePool('rt', 'web');
    for (const [who, orgId] of [['nurse', 'org-1'], ['other', 'org-1'], ['outsider', 'org-2']] as const) {
      const created = await pool.call('AdminCreateUser', {
        UserPoolId: userPoolId,
        Username: `${who}@example.org`,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${who}@example.org` }, { Name: 'custom:orgId', Value: orgId }],
      });
      subs[who] = (created.User as { Attributes: { Name: string; Value: string }[] }).Attributes.find((a) => a.Name === 'sub')!.Value;
      await pool.call('AdminSetUserPassword', { UserPoolId: userPoolId, Username: `${who}@example.org`, Password: 'Correct-horse-1', Permanent: true });
      const auth = await pool.call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: `${who}@example.org`, PASSWORD: 'Correct-horse-1' } });
      tokens[who] = (auth.AuthenticationResult as { IdToken: string }).IdToken;
    }
    server = await startRealtimeServer({
      port: 0,
      verifyToken: createTokenVerifier({ issuer: pool.issuer(userPoolId), jwksUri: pool.jwksUri(userPoolId), clientId }),
      schemaSdl: await readFile(new URL('../../../schemas/realtime.graphql', import.meta.url), 'utf8'),
      authorizeSubscription,
      keepAliveIntervalMs: 100,
    });
  });

  afterEach(async () => {
    const open = clients.splice(0);
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));
  });

  afterAll(async () => {
    await server?.stop();
    await pool?.stop();
  });

  it('serves the URLs the outputs name', () => {
    expect(server.graphqlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(server.realtimeUrl).toBe(`${server.graphqlUrl.replace('http', 'ws')}/realtime`);
  });

  it('acknowledges connection_init with AppSync\'s connectionTimeoutMs and keeps the connection alive with ka', async () => {
    const client = await connect('nurse');
    expect(await client.init()).toEqual({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    await client.next((m) => m.type === 'ka');
    await client.next((m) => m.type === 'ka');
  });

  it('accepts the auth header as an Amplify-style header- subprotocol', async () => {
    const client = await connect('nurse', 'subprotocol');
    expect(client.ws.protocol).toBe('graphql-ws');
    expect((await client.init()).type).toBe('connection_ack');
  });

  it('answers a client without the graphql-ws subprotocol with connection_error, as AppSync does', async () => {
    const client = await Client.open(`${server.realtimeUrl}?header=${encodeURIComponent(headerParam(tokens.nurse!))}&payload=e30=`, []);
    clients.push(client);
    expect(await client.next()).toEqual({ type: 'connection_error', payload: { errors: [{ message: 'SubProtocolNotSupportedError', errorCode: 400 }] } });
    await client.closed;
  });

  it('refuses a connection with a bad or missing token at connection_init and closes it', async () => {
    for (const url of [`${server.realtimeUrl}?header=${encodeURIComponent(headerParam('not-a-jwt'))}&payload=e30=`, server.realtimeUrl]) {
      const client = await Client.open(url, ['graphql-ws']);
      clients.push(client);
      expect(await client.init()).toEqual({
        type: 'connection_error',
        payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
      });
      await client.closed;
    }
  });

  it('acknowledges an allowed subscription and refuses one the authorizer denies, with AppSync\'s error shape', async () => {
    decisions.length = 0;
    const client = await connect('nurse');
    await client.init();
    expect(await client.start('ok', ON_PATIENT, { patientId: 'p-1' })).toEqual({ type: 'start_ack', id: 'ok' });
    expect(await client.start('no', ON_PATIENT, { patientId: 'p-2' })).toEqual({
      type: 'error',
      id: 'no',
      payload: { errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access onPatientEvent on type Subscription' }] },
    });
    expect(decisions).toEqual([
      { sub: subs.nurse, fieldName: 'onPatientEvent', args: { patientId: 'p-1' } },
      { sub: subs.nurse, fieldName: 'onPatientEvent', args: { patientId: 'p-2' } },
    ]);
  });

  it('refuses documents the schema does not allow', async () => {
    const client = await connect('nurse');
    await client.init();
    const bad = await client.start('bad', 'subscription { onPatientEvent(patientId: "p-1") { nope } }');
    expect(bad).toMatchObject({ type: 'error', id: 'bad', payload: { errors: [{ errorType: 'ValidationError', message: expect.stringContaining('nope') }] } });
    const missingVar = await client.start('var', ON_PATIENT, {});
    expect(missingVar).toMatchObject({ type: 'error', id: 'var', payload: { errors: [{ errorType: 'ValidationError' }] } });
    const query = await client.start('q', '{ health }');
    expect(query).toMatchObject({ type: 'error', id: 'q', payload: { errors: [{ errorType: 'UnsupportedOperation' }] } });
  });

  it('delivers an event only to subscriptions of its org and patient, projected onto the selection set', async () => {
    const nurse = await connect('nurse');
    await nurse.init();
    await nurse.start('p1', ON_PATIENT, { patientId: 'p-1' });

    server.publish(event({ id: 'other-patient', patientId: 'p-2' }));
    server.publish(event({ id: 'other-org', orgId: 'org-2' }));
    server.publish(event({ id: 'mine', data: { changed: ['status'] } }));

    expect(await nurse.next()).toEqual({
      type: 'data',
      id: 'p1',
      payload: { data: { onPatientEvent: { id: 'mine', type: 'IncidentReported', patientId: 'p-1', kind: 'Incident', data: '{"changed":["status"]}', at: '2026-11-21T10:00:00.000Z' } } },
    });
  });

  it('delivers onMyEvent only for the subscriber\'s own recipientId within its org', async () => {
    const nurse = await connect('nurse', 'subprotocol');
    const other = await connect('other');
    await nurse.init();
    await other.init();
    expect(await nurse.start('me', ON_MY)).toEqual({ type: 'start_ack', id: 'me' });
    expect(await other.start('me', ON_MY)).toEqual({ type: 'start_ack', id: 'me' });

    server.publish(event({ id: 'for-other', recipientId: subs.other, patientId: null }));
    server.publish(event({ id: 'wrong-org', recipientId: subs.nurse, orgId: 'org-2' }));
    server.publish(event({ id: 'for-nurse', recipientId: subs.nurse, data: null }));

    expect(await nurse.next()).toEqual({
      type: 'data',
      id: 'me',
      payload: { data: { onMyEvent: { __typename: 'CareEvent', id: 'for-nurse', recipientId: subs.nurse, type: 'IncidentReported', orgId: 'org-1', data: null } } },
    });
    expect((await other.next()).payload.data.onMyEvent.id).toBe('for-other');
  });

  it('authorises a start with the token in its extensions, falling back to the connection\'s', async () => {
    decisions.length = 0;
    const client = await connect('nurse');
    await client.init();
    expect(await client.start('as-outsider', ON_PATIENT, { patientId: 'p-1' }, tokens.outsider)).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'Unauthorized' }] } });
    expect(decisions[0]!.sub).toBe(subs.outsider);
    expect(await client.start('bad-token', ON_PATIENT, { patientId: 'p-1' }, 'garbage')).toMatchObject({ type: 'error', payload: { errors: [{ errorType: 'UnauthorizedException' }] } });
  });

  it('ends a subscription on stop with complete, and delivers nothing more to it', async () => {
    const client = await connect('nurse');
    await client.init();
    await client.start('a', ON_PATIENT, { patientId: 'p-1' });
    await client.start('b', ON_MY);
    client.send({ type: 'stop', id: 'a' });
    expect(await client.next()).toEqual({ type: 'complete', id: 'a' });

    server.publish(event({ id: 'after-stop' }));
    server.publish(event({ id: 'to-me', recipientId: subs.nurse }));
    const m = await client.next();
    expect(m).toMatchObject({ type: 'data', id: 'b' });
    expect(m.payload.data.onMyEvent.id).toBe('to-me');
  });

  it('revokes a user\'s subscriptions to a patient with complete, leaving others\' alone', async () => {
    const nurse = await connect('nurse');
    const other = await connect('other');
    await nurse.init();
    await other.init();
    await nurse.start('p', ON_PATIENT, { patientId: 'p-9' });
    await nurse.start('me', ON_MY);
    await other.start('p', ON_PATIENT, { patientId: 'p-9' });

    expect(server.revokePatientAccess('p-9', subs.nurse!)).toBe(1);
    expect(await nurse.next()).toEqual({ type: 'complete', id: 'p' });

    server.publish(event({ id: 'after-revoke', patientId: 'p-9' }));
    server.publish(event({ id: 'still-mine', recipientId: subs.nurse, patientId: null }));
    expect((await nurse.next()).payload.data.onMyEvent.id).toBe('still-mine');
    expect((await other.next()).payload.data.onPatientEvent.id).toBe('after-revoke');
  });

  it('answers POST /graphql { health } for a Cognito token, 401 without one, and refuses IAM-only mutations', async () => {
    const post = (body: unknown, authorization?: string) =>
      fetch(server.graphqlUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) }, body: JSON.stringify(body) });
    const ok = await post({ query: 'query { health }' }, tokens.nurse);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { health: 'ok' } });

    const anonymous = await post({ query: 'query { health }' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] });

    const mutation = await post({ query: 'mutation { revokePatientAccess(patientId: "p-1", userId: "u") }' }, tokens.nurse);
    expect(await mutation.json()).toMatchObject({ data: { revokePatientAccess: null }, errors: [{ errorType: 'Unauthorized' }] });
  });
});

describe('local AppSync realtime endpoint over TLS', () => {
  let dir: string;
  let server: RealtimeServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carestack-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    server = await startRealtimeServer({
      port: 0,
      verifyToken: async (token) => ({ sub: token, token_use: 'id', 'custom:orgId': 'org-1' }),
      schemaSdl: await readFile(new URL('../../../schemas/realtime.graphql', import.meta.url), 'utf8'),
      authorizeSubscription: async () => ({ allowed: true }),
      tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks the protocol over wss:// at <GraphqlUrl>/realtime', async () => {
    expect(server.graphqlUrl).toMatch(/^https:\/\//);
    expect(server.realtimeUrl).toBe(`${server.graphqlUrl.replace('https', 'wss')}/realtime`);
    const header = Buffer.from(JSON.stringify({ Authorization: 'u-1', host: 'localhost' })).toString('base64url');
    const ws = new WebSocket(server.realtimeUrl, ['graphql-ws', `header-${header}`], { rejectUnauthorized: false });
    const client = new Client(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    expect((await client.init()).type).toBe('connection_ack');
    expect(await client.start('1', ON_MY)).toEqual({ type: 'start_ack', id: '1' });
    server.publish(event({ recipientId: 'u-1' }));
    expect((await client.next()).payload.data.onMyEvent.recipientId).toBe('u-1');
    client.close();
  });
});
