import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { ROUTES } from '../../../lambdas/routes.js';
import { startGateway, type Gateway, type ProxyHandler } from '../../../local/gateway.js';
import { createTokenVerifier, startLocalUserPool, type LocalUserPool } from '../../../local/cognito/index.js';

const ORIGIN = 'http://localhost:5173';

describe('local gateway', () => {
  let pool: LocalUserPool;
  let gateway: Gateway;
  let idToken: string;
  let sub: string;
  const seen: { event: APIGatewayProxyEvent; context: Context }[] = [];
  let behaviour: 'echo' | 'throw' | 'binary' = 'echo';

  const identity: ProxyHandler = async (event, context) => {
    seen.push({ event, context });
    if (behaviour === 'throw') throw new Error('secret detail: table ORG#1');
    if (behaviour === 'binary') return { statusCode: 200, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true };
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ resource: event.resource }) };
  };

  beforeAll(async () => {
    pool = await startLocalUserPool({ port: 0 });
    const { userPoolId, clientId } = await pool.ensurePool('gw', 'web');
    await pool.call('CreateGroup', { UserPoolId: userPoolId, GroupName: 'admin' });
    await pool.call('CreateGroup', { UserPoolId: userPoolId, GroupName: 'coordinator' });
    const created = await pool.call('AdminCreateUser', {
      UserPoolId: userPoolId,
      Username: 'ada@example.org',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'ada@example.org' },
        { Name: 'custom:orgId', Value: 'org-1' },
      ],
    });
    sub = ((created.User as { Attributes: { Name: string; Value: string }[] }).Attributes.find((a) => a.Name === 'sub'))!.Value;
    await pool.call('AdminSetUserPassword', { UserPoolId: userPoolId, Username: 'ada@example.org', Password: 'Correct-horse-1', Permanent: true });
    for (const g of ['admin', 'coordinator']) await pool.call('AdminAddUserToGroup', { UserPoolId: userPoolId, Username: 'ada@example.org', GroupName: g });
    const auth = await pool.call('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: clientId, AuthParameters: { USERNAME: 'ada@example.org', PASSWORD: 'Correct-horse-1' } });
    idToken = (auth.AuthenticationResult as { IdToken: string }).IdToken;

    gateway = await startGateway({
      port: 0,
      // Only the identity function's routes: every route served has a handler here.
      routes: ROUTES.filter((r) => r.fn === 'identity'),
      handlers: { identity },
      verifyToken: createTokenVerifier({ issuer: pool.issuer(userPoolId), jwks: pool.jwks(userPoolId), clientId }),
      corsAllowOrigins: [ORIGIN],
      logger: { error: () => {} },
      extraRoutes: (req, res) => {
        if (req.url !== '/_local/clock') return false;
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ now: '2026-11-21T00:00:00.000Z' }));
        return true;
      },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await pool?.stop();
  });

  const call = (path: string, init: RequestInit = {}) => fetch(`${gateway.url}${path}`, init);
  const auth = (extra: Record<string, string> = {}) => ({ Authorization: `Bearer ${idToken}`, ...extra });

  it('refuses to start without a handler for a function of the table', async () => {
    await expect(
      startGateway({ port: 0, routes: ROUTES, handlers: {}, verifyToken: async () => { throw new Error('x'); }, corsAllowOrigins: '*' }),
    ).rejects.toThrow(/identity/);
  });

  it('calls the handler with the event API Gateway would build, claims as strings', async () => {
    seen.length = 0;
    const res = await call('/patients/p%2D1/care-team/u-9?x=1&x=2', {
      method: 'PUT',
      headers: auth({ 'Content-Type': 'application/json', 'X-Trace': 't-1' }),
      body: JSON.stringify({ relationship: 'aide' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ resource: '/patients/{patientId}/care-team/{userId}' });
    const { event, context } = seen[0]!;
    expect(event).toMatchObject({
      resource: '/patients/{patientId}/care-team/{userId}',
      path: '/patients/p%2D1/care-team/u-9',
      httpMethod: 'PUT',
      pathParameters: { patientId: 'p-1', userId: 'u-9' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      stageVariables: null,
      body: '{"relationship":"aide"}',
      isBase64Encoded: false,
    });
    expect(event.headers['X-Trace'] ?? event.headers['x-trace']).toBe('t-1');
    expect(event.requestContext.requestId).toBe(res.headers.get('x-request-id'));
    expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
    const claims = event.requestContext.authorizer!.claims as Record<string, unknown>;
    expect(claims).toMatchObject({ sub, 'cognito:groups': 'admin,coordinator', 'custom:orgId': 'org-1', email: 'ada@example.org', token_use: 'id' });
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts the token without the Bearer prefix, as API Gateway does', async () => {
    const res = await call('/me', { headers: { Authorization: idToken } });
    expect(res.status).toBe(200);
  });

  it('answers 401 unauthenticated for a missing, forged or malformed token, without calling the handler', async () => {
    seen.length = 0;
    const [header, payload] = idToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer nonsense' }, { Authorization: `Bearer ${forged}` }];
    for (const headers of attempts) {
      const res = await call('/me', { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { message: string; error: { message: string } };
      expect(body).toEqual({ message: expect.any(String), error: { code: 'unauthenticated', message: body.message } });
      expect(res.headers.get('x-amzn-errortype')).toBe('unauthenticated');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(seen).toHaveLength(0);
  });

  it('lets an unauthenticated route through without an authorizer', async () => {
    seen.length = 0;
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(seen[0]!.event.requestContext.authorizer).toBeNull();
  });

  it('answers 404 not_found for an unknown path and 405 method_not_allowed for a known path', async () => {
    const missing = await call('/nope', { headers: auth() });
    expect(missing.status).toBe(404);
    const missingBody = (await missing.json()) as { message: string };
    expect(missingBody).toEqual({ message: 'No route for /nope', error: { code: 'not_found', message: 'No route for /nope' } });
    expect(missing.headers.get('x-amzn-errortype')).toBe('not_found');
    const wrong = await call('/health', { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, OPTIONS');
    expect(await wrong.json()).toMatchObject({ message: expect.any(String), error: { code: 'method_not_allowed' } });
    expect(wrong.headers.get('x-amzn-errortype')).toBe('method_not_allowed');
  });

  it('answers 413 payload_too_large over 256 KB without calling the handler, and takes exactly 256 KB', async () => {
    seen.length = 0;
    const over = await call('/users', { method: 'POST', headers: auth({ 'Content-Type': 'application/json' }), body: 'x'.repeat(262_145) });
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ message: expect.any(String), error: { code: 'payload_too_large' } });
    expect(over.headers.get('x-amzn-errortype')).toBe('payload_too_large');
    expect(seen).toHaveLength(0);
    const limit = await call('/users', { method: 'POST', headers: auth({ 'Content-Type': 'application/json' }), body: 'x'.repeat(262_144) });
    expect(limit.status).toBe(200);
  });

  it('gives every response its own x-request-id', async () => {
    const ids = await Promise.all([call('/health'), call('/health'), call('/nope')].map(async (p) => (await p).headers.get('x-request-id')));
    expect(new Set(ids).size).toBe(3);
  });

  it('answers a preflight on a known path with the resource\'s methods for an allowed origin', async () => {
    const res = await call('/patients/p-1', { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'PATCH' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,PATCH,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type,Idempotency-Key');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect((await call('/nowhere', { method: 'OPTIONS', headers: { Origin: ORIGIN } })).status).toBe(404);
  });

  it('puts CORS headers on every response, errors included, only for allowed origins', async () => {
    const ok = await call('/me', { headers: auth({ Origin: ORIGIN }) });
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const denied = await call('/me', { headers: { Origin: ORIGIN } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // A browser app may read the error's code (where Amplify names the error) and the request id.
    expect(denied.headers.get('access-control-expose-headers')).toBe('x-request-id,x-amzn-ErrorType,Retry-After');
    const other = await call('/health', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('turns a handler exception into 500 internal with no details', async () => {
    behaviour = 'throw';
    try {
      const res = await call('/me', { headers: auth() });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ message: 'Internal server error', error: { code: 'internal', message: 'Internal server error' } });
      expect(res.headers.get('x-amzn-errortype')).toBe('internal');
      expect(text).not.toContain('secret');
    } finally {
      behaviour = 'echo';
    }
  });

  it('passes binary request bodies base64-encoded and decodes base64 responses', async () => {
    behaviour = 'binary';
    seen.length = 0;
    try {
      const res = await call('/users', { method: 'POST', headers: auth({ 'Content-Type': 'application/pdf' }), body: new Uint8Array([37, 80, 68, 70, 0, 255]) });
      expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
      expect(seen[0]!.event.isBase64Encoded).toBe(true);
      expect(Buffer.from(seen[0]!.event.body!, 'base64')).toEqual(Buffer.from([37, 80, 68, 70, 0, 255]));
    } finally {
      behaviour = 'echo';
    }
  });

  it('serves extra local routes before the route table, with a request id', async () => {
    const res = await call('/_local/clock');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ now: '2026-11-21T00:00:00.000Z' });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
