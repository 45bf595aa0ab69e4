import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentityHandler } from '../../../../lambdas/identity/app.js';
import type { NewLogin, UserDirectory } from '../../../../lambdas/identity/user-directory.js';
import { Db, encodeCursor } from '../../../../lambdas/shared/data/db.js';
import { IDENTITY_ROUTES } from '../../../../lambdas/identity/routes.js';
import { createApiHandler } from '../../../../lambdas/shared/http/api.js';
import type { RouteHandlers } from '../../../../lambdas/shared/http/route-def.js';
import { MAX_BODY_BYTES } from '../../../../lambdas/shared/http/middleware.js';
import { ErrorBody } from '../../../../schemas/common.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger, type EventSpec, type TestCaller } from '../support/api-events.js';
import { offlineDynamoClient, sentTransactItems, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const client = offlineDynamoClient();

class FakeDirectory implements UserDirectory {
  readonly created: NewLogin[] = [];
  async createLogin(login: NewLogin) {
    this.created.push(login);
    return { userId: `user-${this.created.length}` };
  }
  async deleteLogin(): Promise<void> {}
}

const NOW = '2025-03-01T10:00:00.000Z';
const logger = silentLogger();
const handler = createIdentityHandler({ db: new Db(client, 'table-1'), directory: new FakeDirectory(), clock: fixedClock(NOW), logger });
const invoke = (spec: EventSpec) => handler(apiEvent(spec), lambdaContext());

const coordinator: TestCaller = { userId: 'coord-1', orgId: 'org-1', roles: ['coordinator'] };
const family: TestCaller = { userId: 'fam-1', orgId: 'org-1', roles: ['family'] };
const compliance: TestCaller = { userId: 'comp-1', orgId: 'org-1', roles: ['compliance'] };

const validPatient = { displayName: 'Ada Lovelace', medicalRecordNumber: 'MRN-1' };

beforeEach(() => {
  ddb.reset();
  vi.restoreAllMocks();
});
afterAll(() => ddb.restore());

/** The response is in the contract's error shape, with this status and code. */
function expectError(res: { statusCode: number; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = bodyOf(res);
  expect(ErrorBody.safeParse(body).success).toBe(true);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error as { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

describe('success responses', () => {
  it('creates a patient: 201, the patient, JSON and request-id headers, one transaction', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});

    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: validPatient, requestId: 'req-create' });

    expect(res.statusCode).toBe(201);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-create', 'cache-control': 'no-store' });
    expect(bodyOf(res)).toMatchObject({ ...validPatient, orgId: 'org-1', isActive: true, version: 1, createdAt: NOW, updatedAt: NOW });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
    const items = sentTransactItems(ddb);
    expect(items.map((i) => i.Put?.Item?.entityType)).toEqual(['Patient', 'MrnClaim']);
    expect(items[0]!.Put!.Item).toMatchObject({ updatedBy: 'coord-1', requestId: 'req-create', source: 'api', orgId: 'org-1' });
    expect(items[1]!.Put!.Item).toMatchObject({ PK: 'ORG#org-1#MRN#MRN-1', SK: 'MRN' });
  });

  it('answers GET /health without any authorizer claims', async () => {
    const res = await invoke({ route: 'GET /health' });
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ status: 'ok' });
  });

  it('sends 204 with no body and no content-type for a care-team removal', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    const res = await invoke({
      route: 'DELETE /patients/{patientId}/care-team/{userId}',
      pathParameters: { patientId: 'p1', userId: 'u2' },
      caller: coordinator,
      body: '',
      requestId: 'req-del',
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers).not.toHaveProperty('content-type');
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-del' });
  });

  it('adds CORS headers only for an allowed origin', async () => {
    const cors = createIdentityHandler({
      db: new Db(client, 'table-1'),
      directory: new FakeDirectory(),
      clock: fixedClock(NOW),
      logger,
      corsAllowOrigins: ['https://app.example.test'],
    });
    const allowed = await cors(apiEvent({ route: 'GET /health', headers: { Origin: 'https://app.example.test' } }), lambdaContext());
    const other = await cors(apiEvent({ route: 'GET /health', headers: { Origin: 'https://evil.example.test' } }), lambdaContext());
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example.test', vary: 'Origin' });
    expect(other.headers).not.toHaveProperty('access-control-allow-origin');
  });
});

describe('validation (400 validation_failed)', () => {
  it('names each bad, missing and unknown field of the body', async () => {
    const res = await invoke({
      route: 'POST /patients',
      caller: coordinator,
      body: { displayName: 42, dateOfBirth: 'yesterday', isActive: false, ssn: '123' },
    });

    const error = expectError(res, 400, 'validation_failed');
    const paths = [...new Set(error.details!.map((d) => d.path))].sort();
    expect(paths).toEqual(['body.dateOfBirth', 'body.displayName', 'body.isActive', 'body.medicalRecordNumber', 'body.ssn']);
    expect(error.details!.find((d) => d.path === 'body.ssn')?.message).toBe('unknown field');
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(['id', 'version', 'createdAt', 'orgId'])('refuses the server-owned field %s on create', async (field) => {
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: { ...validPatient, [field]: 'x' } });
    expect(expectError(res, 400, 'validation_failed').details).toContainEqual({ path: `body.${field}`, message: 'unknown field' });
  });

  it('names nested fields with their full path', async () => {
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: { ...validPatient, contact: { name: 'Bo', fax: '1' } } });
    expect(expectError(res, 400, 'validation_failed').details).toContainEqual({ path: 'body.contact.fax', message: 'unknown field' });
  });

  it('rejects malformed JSON', async () => {
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: '{"displayName": "Ada",' });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ path: 'body', message: 'malformed JSON' }]);
  });

  it('rejects a body that is not JSON by content type', async () => {
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: 'displayName=Ada', headers: { 'content-type': 'text/plain' } });
    expectError(res, 400, 'validation_failed');
  });

  it('rejects a body on a route that takes none', async () => {
    const res = await invoke({ route: 'GET /me', caller: coordinator, body: { a: 1 } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ path: 'body', message: 'must be empty' }]);
  });

  it('accepts no body, an empty body or {} on a route that takes none (API.md, Conventions)', async () => {
    for (const body of [undefined, '', {}]) {
      const res = await invoke({ route: 'GET /me', caller: coordinator, body });
      expect(res.statusCode, JSON.stringify(body)).toBe(200);
    }
    const array = await invoke({ route: 'GET /me', caller: coordinator, body: [] });
    expectError(array, 400, 'validation_failed');
  });

  it('rejects unknown query parameters, on routes with and without a query schema', async () => {
    const list = await invoke({ route: 'GET /patients', caller: coordinator, query: { limit: '5', sort: 'name' } });
    expect(expectError(list, 400, 'validation_failed').details).toEqual([{ path: 'query.sort', message: 'unknown field' }]);

    const me = await invoke({ route: 'GET /me', caller: coordinator, query: { verbose: '1' } });
    expect(expectError(me, 400, 'validation_failed').details).toEqual([{ path: 'query.verbose', message: 'unknown parameter' }]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(['0', '101', 'ten', '2.5'])('rejects ?limit=%s', async (limit) => {
    const res = await invoke({ route: 'GET /patients', caller: coordinator, query: { limit } });
    expect(expectError(res, 400, 'validation_failed').details?.[0]?.path).toBe('query.limit');
  });

  it('rejects a path id that could break out of its key', async () => {
    const res = await invoke({ route: 'GET /patients/{patientId}', pathParameters: { patientId: 'p1#MEMBER#x' }, caller: coordinator });
    expect(expectError(res, 400, 'validation_failed').details?.[0]?.path).toBe('path.patientId');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('rejects a PATCH that changes nothing but the version', async () => {
    const res = await invoke({ route: 'PATCH /patients/{patientId}', pathParameters: { patientId: 'p1' }, caller: coordinator, body: { version: 1 } });
    expectError(res, 400, 'validation_failed');
  });

  it('rejects a forged cursor from another org\'s partition without querying', async () => {
    const forged = encodeCursor({ PK: 'ORG#org-2#PAT#x', SK: 'PROFILE', GSI1PK: 'ORG#org-2#PATIENTS', GSI1SK: 'a#x' });
    const res = await invoke({ route: 'GET /patients', caller: coordinator, query: { cursor: forged } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });

  it('rejects an over-long Idempotency-Key', async () => {
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: validPatient, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expect(expectError(res, 400, 'validation_failed').details).toEqual([{ path: 'Idempotency-Key', message: 'invalid' }]);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('payload size', () => {
  it('answers 413 payload_too_large for a body over 256 KB, before parsing it', async () => {
    const big = JSON.stringify({ ...validPatient, facility: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: big, requestId: 'req-big' });
    expectError(res, 413, 'payload_too_large');
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-big' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('counts bytes, not characters, and accepts exactly 256 KB', async () => {
    // 'é' is two bytes in UTF-8: half as many characters reach the limit.
    const padding = (n: number) => JSON.stringify({ pad: 'é'.repeat(n) });
    const overhead = Buffer.byteLength(padding(0));
    const atLimit = padding((MAX_BODY_BYTES - overhead) / 2);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY_BYTES);

    const ok = await invoke({ route: 'POST /patients', caller: coordinator, body: atLimit });
    expect(ok.statusCode).toBe(400); // parsed and validated, not refused for size
    const over = await invoke({ route: 'POST /patients', caller: coordinator, body: atLimit.replace('"pad":"', '"pad":"x') });
    expect(over.statusCode).toBe(413);
  });

  it('measures a base64-encoded body after decoding it', async () => {
    const event: APIGatewayProxyEvent = {
      ...apiEvent({ route: 'POST /patients', caller: coordinator }),
      body: Buffer.from(JSON.stringify(validPatient)).toString('base64'),
      isBase64Encoded: true,
    };
    ddb.on(TransactWriteItemsCommand).resolves({});
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(201);
  });
});

describe('authentication and roles', () => {
  it('answers 401 unauthenticated without claims', async () => {
    const res = await invoke({ route: 'GET /me', requestId: 'req-anon' });
    expectError(res, 401, 'unauthenticated');
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-anon' });
  });

  it('answers 401 when the org claim is missing', async () => {
    const res = await invoke({ route: 'GET /me', claims: { sub: 'u', 'cognito:groups': 'admin' } });
    expectError(res, 401, 'unauthenticated');
  });

  it('answers 403 forbidden when family tries to create a patient, and writes nothing', async () => {
    const res = await invoke({ route: 'POST /patients', caller: family, body: validPatient, requestId: 'req-403' });
    expectError(res, 403, 'forbidden');
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-403' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 403 when compliance lists patients', async () => {
    const res = await invoke({ route: 'GET /patients', caller: compliance });
    expectError(res, 403, 'forbidden');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('checks the role before validating the body (no hints to callers who may never do this)', async () => {
    const res = await invoke({ route: 'POST /users', caller: coordinator, body: { nonsense: true } });
    expectError(res, 403, 'forbidden');
  });

  it('answers /me from the claims alone', async () => {
    const res = await invoke({ route: 'GET /me', caller: { ...family, email: 'f@example.test' } });
    expect(bodyOf(res)).toEqual({ userId: 'fam-1', orgId: 'org-1', roles: ['family'], email: 'f@example.test', displayName: 'User fam-1' });
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('errors from below', () => {
  it('answers 500 internal with no stack trace or internals, and logs the detail', async () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:443 table-1 arn:aws:dynamodb:secret');
    ddb.on(TransactWriteItemsCommand).rejects(secret);
    const logged = vi.spyOn(logger, 'error');

    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: validPatient, requestId: 'req-500' });

    const error = expectError(res, 500, 'internal');
    expect(Object.keys(error).sort()).toEqual(['code', 'message']);
    expect(res.body).not.toMatch(/ECONNREFUSED|table-1|arn:aws|stack|at .*\.ts/);
    expect(res.headers).toMatchObject({ 'x-request-id': 'req-500', 'content-type': 'application/json' });
    expect(logged).toHaveBeenCalledWith('unhandled error', { error: expect.objectContaining({ message: secret.message }) });
  });

  it('maps a duplicate MRN (its claim\'s condition failed) to 409 conflict', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }),
    );
    const res = await invoke({ route: 'POST /patients', caller: coordinator, body: validPatient });
    expectError(res, 409, 'conflict');
  });

  it('maps a stale PATCH version to 409 version_conflict', async () => {
    ddb.on(GetItemCommand).resolves({
      Item: wire({ id: 'p1', orgId: 'org-1', version: 3, displayName: 'Ada', medicalRecordNumber: 'MRN-1', isActive: true, createdAt: NOW, updatedAt: NOW }),
    });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
    );
    const res = await invoke({ route: 'PATCH /patients/{patientId}', pathParameters: { patientId: 'p1' }, caller: coordinator, body: { version: 2, room: '12' } });
    expectError(res, 409, 'version_conflict');
    const update = sentTransactItems(ddb)[0]!.Update!;
    expect(update.ExpressionAttributeValues).toMatchObject({ ':expected': 2 });
  });

  it('answers 404 for a family member who is not on the care team, as for a missing patient', async () => {
    ddb.on(GetItemCommand).resolves({});
    const res = await invoke({ route: 'GET /patients/{patientId}', pathParameters: { patientId: 'p1' }, caller: family });
    expectError(res, 404, 'not_found');
    // a strongly consistent read, so a removal from the team ends access at once
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { Key: wire({ PK: 'ORG#org-1#PAT#p1', SK: 'MEMBER#fam-1' }), ConsistentRead: true });
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand); // no access record for a refused read
  });

  it('records an audited read when a patient is returned', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire({ id: 'p1', orgId: 'org-1', version: 1, displayName: 'Ada', medicalRecordNumber: 'M', isActive: true, PK: 'x', GSI1PK: 'y' }) });
    ddb.on(PutItemCommand).resolves({});
    const res = await invoke({ route: 'GET /patients/{patientId}', pathParameters: { patientId: 'p1' }, caller: coordinator, requestId: 'req-read' });
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).not.toHaveProperty('PK');
    expect(bodyOf(res)).not.toHaveProperty('GSI1PK');
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, {
      Item: expect.objectContaining(wire({ entityType: 'AccessRecord', accessAction: 'read', accessedEntityId: 'p1', updatedBy: 'coord-1', requestId: 'req-read' })),
    });
  });
});

describe('createApiHandler wiring', () => {
  const deps = { logger, clock: fixedClock(NOW) };

  // The compiler refuses both (RouteHandlers); the casts stand for a caller that got past it.
  it('fails at cold start when a route of the function has no handler', () => {
    const handlers = { 'GET /health': async () => ({ status: 'ok' as const }) };
    expect(() => createApiHandler(IDENTITY_ROUTES, handlers as unknown as RouteHandlers<typeof IDENTITY_ROUTES.decls>, deps)).toThrow(/has no handler for route/);
  });

  it('fails at cold start for a handler of a route not in the table', () => {
    const handlers = Object.fromEntries([...IDENTITY_ROUTES.map((r) => `${r.method} ${r.path}`), 'GET /secret'].map((k) => [k, async () => ({})]));
    expect(() => createApiHandler(IDENTITY_ROUTES, handlers as unknown as RouteHandlers<typeof IDENTITY_ROUTES.decls>, deps)).toThrow(/GET \/secret, which is not in the route table/);
  });
});
