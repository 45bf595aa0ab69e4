import { describe, expect, it } from 'vitest';
import type { RouteDef } from '../../../lambdas/routes.js';
import { ROUTES } from '../../../lambdas/routes.js';
import { allowedOrigin, buildProxyEvent, claimsAsStrings, isBinaryContentType, lambdaContext, matchRoute } from '../../../local/gateway.js';
import type { TokenClaims } from '../../../local/cognito/token-verifier.js';

const route = (method: RouteDef['method'], path: string): RouteDef => ({ method, path, fn: 'identity', auth: true, roles: 'any', summary: path, operation: 'testRoute' });

describe('matchRoute', () => {
  const routes = [
    route('GET', '/patients/{patientId}'),
    route('PATCH', '/patients/{patientId}'),
    route('GET', '/patients/export'),
    route('GET', '/patients/{patientId}/care-team'),
    route('PUT', '/patients/{patientId}/care-team/{userId}'),
    route('GET', '/{any}/care-team'),
  ];

  it('prefers a literal segment over a parameter, whatever the table order', () => {
    expect(matchRoute(routes, 'GET', '/patients/export')).toMatchObject({ resource: '/patients/export', pathParameters: null });
    expect(matchRoute([...routes].reverse(), 'GET', '/patients/export')).toMatchObject({ resource: '/patients/export' });
    expect(matchRoute(routes, 'GET', '/patients/p-1')).toMatchObject({ resource: '/patients/{patientId}', pathParameters: { patientId: 'p-1' } });
  });

  it('compares precedence from the leftmost segment', () => {
    expect(matchRoute(routes, 'GET', '/patients/care-team')).toMatchObject({ resource: '/patients/{patientId}' });
    expect(matchRoute(routes, 'GET', '/patients/p-1/care-team')).toMatchObject({ resource: '/patients/{patientId}/care-team' });
    expect(matchRoute(routes, 'GET', '/teams/care-team')).toMatchObject({ resource: '/{any}/care-team', pathParameters: { any: 'teams' } });
  });

  it('does not fall back to a parameter resource when the literal one lacks the method', () => {
    const m = matchRoute(routes, 'PATCH', '/patients/export');
    expect(m).toMatchObject({ resource: '/patients/export', methods: ['GET'] });
    expect(m?.route).toBeUndefined();
  });

  it('URL-decodes path parameters and names every method of the resource', () => {
    const m = matchRoute(routes, 'PUT', '/patients/a%20b/care-team/u%2F1');
    expect(m).toMatchObject({ resource: '/patients/{patientId}/care-team/{userId}', pathParameters: { patientId: 'a b', userId: 'u/1' } });
    expect(matchRoute(routes, 'GET', '/patients/p-1')?.methods).toEqual(['GET', 'PATCH']);
  });

  it('returns nothing for an unknown path and tolerates a trailing slash', () => {
    expect(matchRoute(routes, 'GET', '/nowhere')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/patients/p-1/care-team/u-1/extra')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/patients/p-1/')).toMatchObject({ resource: '/patients/{patientId}' });
  });

  it('resolves every route of the contract table to itself', () => {
    for (const r of ROUTES) {
      const concrete = r.path.replace(/\{[^}]+\}/g, 'x1');
      expect(matchRoute(ROUTES, r.method, concrete)?.route).toBe(r);
    }
  });
});

describe('claimsAsStrings', () => {
  it('turns every claim into a string, joining cognito:groups with commas as API Gateway does', () => {
    expect(
      claimsAsStrings({ sub: 'u-1', 'cognito:groups': ['admin', 'coordinator'], email_verified: true, auth_time: 1_700_000_000, exp: 1_700_003_600, 'custom:orgId': 'o-1' }),
    ).toEqual({ sub: 'u-1', 'cognito:groups': 'admin,coordinator', email_verified: 'true', auth_time: '1700000000', exp: '1700003600', 'custom:orgId': 'o-1' });
  });
});

describe('buildProxyEvent', () => {
  const claims: TokenClaims = { sub: 'u-1', token_use: 'id', 'cognito:groups': ['aide', 'family'], iat: 10, exp: 3610, 'custom:orgId': 'o-1' };
  const match = matchRoute(ROUTES, 'PUT', '/patients/p%201/care-team/u-2')!;
  const event = buildProxyEvent(
    {
      method: 'PUT',
      url: '/patients/p%201/care-team/u-2?tag=a&tag=b&limit=5',
      rawHeaders: ['Host', 'localhost:3000', 'Content-Type', 'application/json', 'X-Multi', 'one', 'X-Multi', 'two', 'User-Agent', 'vitest'],
      body: Buffer.from('{"relationship":"aide"}'),
      sourceIp: '127.0.0.1',
    },
    { requestId: 'req-1', requestTimeEpoch: Date.UTC(2026, 10, 21, 23, 30, 0), stage: 'local', match, claims },
  );

  it('carries resource, path, method and decoded path parameters', () => {
    expect(event).toMatchObject({
      resource: '/patients/{patientId}/care-team/{userId}',
      path: '/patients/p%201/care-team/u-2',
      httpMethod: 'PUT',
      pathParameters: { patientId: 'p 1', userId: 'u-2' },
      stageVariables: null,
      body: '{"relationship":"aide"}',
      isBase64Encoded: false,
    });
  });

  it('keeps header case, the last single value and every multi value', () => {
    expect(event.headers).toMatchObject({ Host: 'localhost:3000', 'Content-Type': 'application/json', 'X-Multi': 'two' });
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
  });

  it('splits the query string into last values and every value', () => {
    expect(event.queryStringParameters).toEqual({ tag: 'b', limit: '5' });
    expect(event.multiValueQueryStringParameters).toEqual({ tag: ['a', 'b'], limit: ['5'] });
  });

  it('fills the request context, with claims as strings', () => {
    expect(event.requestContext).toMatchObject({
      requestId: 'req-1',
      requestTimeEpoch: Date.UTC(2026, 10, 21, 23, 30, 0),
      requestTime: '21/Nov/2026:23:30:00 +0000',
      resourcePath: '/patients/{patientId}/care-team/{userId}',
      httpMethod: 'PUT',
      stage: 'local',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' },
      authorizer: { claims: { sub: 'u-1', 'cognito:groups': 'aide,family', iat: '10', exp: '3610', 'custom:orgId': 'o-1', token_use: 'id' } },
    });
  });

  it('uses null for an absent query, path parameters and body, and no authorizer without a token', () => {
    const health = buildProxyEvent(
      { method: 'GET', url: '/health', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '::1' },
      { requestId: 'r', requestTimeEpoch: 0, stage: 'local', match: matchRoute(ROUTES, 'GET', '/health')! },
    );
    expect(health).toMatchObject({ queryStringParameters: null, multiValueQueryStringParameters: null, pathParameters: null, body: null, isBase64Encoded: false });
    expect(health.requestContext.authorizer).toBeNull();
  });

  it('base64-encodes bodies of binary content types', () => {
    const bytes = Buffer.from([0, 255, 1, 254]);
    const e = buildProxyEvent(
      { method: 'POST', url: '/users', rawHeaders: ['content-type', 'image/png'], body: bytes, sourceIp: '127.0.0.1' },
      { requestId: 'r', requestTimeEpoch: 0, stage: 'local', match: matchRoute(ROUTES, 'POST', '/users')! },
    );
    expect(e.isBase64Encoded).toBe(true);
    expect(Buffer.from(e.body!, 'base64')).toEqual(bytes);
  });
});

describe('content types, CORS origins and the Lambda context', () => {
  it('treats JSON, text and forms as text, anything else as binary', () => {
    for (const t of ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/problem+json', 'application/x-www-form-urlencoded']) {
      expect(isBinaryContentType(t)).toBe(false);
    }
    expect(isBinaryContentType(undefined)).toBe(false);
    expect(isBinaryContentType('application/octet-stream')).toBe(true);
    expect(isBinaryContentType('image/heic')).toBe(true);
  });

  it('echoes an allowed origin, refuses others, and answers * when all are allowed', () => {
    expect(allowedOrigin(['http://localhost:5173'], 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(allowedOrigin(['http://localhost:5173'], 'https://evil.example')).toBeUndefined();
    expect(allowedOrigin(['http://localhost:5173'], undefined)).toBeUndefined();
    expect(allowedOrigin('*', 'https://any.example')).toBe('*');
  });

  it('gives each invocation its own awsRequestId and a remaining time', () => {
    const a = lambdaContext('identity');
    const b = lambdaContext('identity');
    expect(a.functionName).toBe('carestack-local-identity');
    expect(a.awsRequestId).not.toBe(b.awsRequestId);
    expect(a.getRemainingTimeInMillis()).toBeGreaterThan(28_000);
  });
});
