/**
 * A domain function's entry takes an AppSync field event (what schemas/resolvers/route.js sends) as
 * well as an API Gateway event, and runs the same pipeline: caller from the claims, role check, zod
 * validation of path/query/body, Idempotency-Key, write context with AppSync's request id, the
 * contract's errors as `errorType` + `errorInfo.details`.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createApiHandler } from '../../../../lambdas/shared/http/api.js';
import type { AppSyncFieldEvent } from '../../../../lambdas/shared/http/appsync.js';
import { defineRoutes, type RouteInput } from '../../../../lambdas/shared/http/route-def.js';
import { NotFoundError } from '../../../../lambdas/shared/errors.js';
import { idempotencyRequest } from '../../../../lambdas/shared/data/idempotency.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger } from '../support/api-events.js';

const Thing = z.object({ id: z.string(), size: z.number(), patientId: z.string() });
const routes = defineRoutes('identity', {
  'GET /patients/{patientId}/things': {
    operation: 'listThings', roles: 'any', summary: 'Things',
    params: z.strictObject({ patientId: z.string() }),
    query: z.strictObject({ limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))), unread: z.optional(z.enum(['true', 'false'])) }),
    response: z.object({ items: z.array(Thing), nextCursor: z.nullable(z.string()) }),
  },
  'POST /patients/{patientId}/things': {
    operation: 'makeThing', roles: ['coordinator'], summary: 'Make a thing',
    params: z.strictObject({ patientId: z.string() }),
    body: z.strictObject({ size: z.number().check(z.minimum(1)) }), response: Thing, status: 201, idempotent: true,
  },
  'DELETE /patients/{patientId}/things/{thingId}': {
    operation: 'dropThing', roles: 'any', summary: 'Drop a thing', params: z.strictObject({ patientId: z.string(), thingId: z.string() }), status: 204,
  },
  'GET /things.csv': { operation: 'exportThings', roles: 'any', summary: 'CSV', response: z.string(), produces: 'text/csv; charset=utf-8' },
});

const seen: Array<RouteInput<unknown, unknown, unknown>> = [];
const handler = createApiHandler(
  routes,
  {
    'GET /patients/{patientId}/things': async (input) => {
      seen.push(input);
      if (input.params.patientId === 'elsewhere') throw new NotFoundError('No such patient');
      return { items: [{ id: 't1', size: 2, patientId: input.params.patientId }], nextCursor: null };
    },
    'POST /patients/{patientId}/things': async (input) => {
      seen.push(input);
      return { id: 't2', size: input.body.size, patientId: input.params.patientId };
    },
    'DELETE /patients/{patientId}/things/{thingId}': async (input) => void seen.push(input),
    'GET /things.csv': async () => 'id,size\nt1,2\n',
  },
  { logger: silentLogger(), clock: fixedClock('2026-01-01T00:00:00.000Z') },
);

/** As AppSync hands over Cognito claims: real JSON types, groups an array (ID or access token). */
const identity = (groups: string[], extra: Record<string, unknown> = {}) => ({
  sub: 'user-1',
  claims: { sub: 'user-1', 'custom:orgId': 'org-1', 'cognito:groups': groups, token_use: 'access', client_id: 'c', username: 'user-1', ...extra },
});
const field = (name: string, args: Record<string, unknown>, groups = ['coordinator']): AppSyncFieldEvent => ({
  field: name,
  parentType: name.startsWith('list') || name.startsWith('export') ? 'Query' : 'Mutation',
  arguments: args,
  identity: identity(groups),
  requestId: 'appsync-req-1',
});

describe('an AppSync field event through the REST pipeline', () => {
  it('maps arguments to path and query parameters, the caller from the claims, and answers { data }', async () => {
    seen.length = 0;
    const out = await handler(field('listThings', { patientId: 'p1', limit: 5, unread: 'true' }), lambdaContext());
    expect(out).toEqual({ data: { items: [{ id: 't1', size: 2, patientId: 'p1' }], nextCursor: null } });
    expect(seen[0]).toMatchObject({
      params: { patientId: 'p1' },
      query: { limit: 5, unread: 'true' },
      body: undefined,
      caller: { userId: 'user-1', orgId: 'org-1', roles: ['coordinator'] },
      write: { requestId: 'appsync-req-1', source: 'api', actorId: 'user-1', orgId: 'org-1' },
    });
  });

  it('takes input as the body and idempotencyKey as Idempotency-Key', async () => {
    seen.length = 0;
    const out = await handler(field('makeThing', { patientId: 'p1', input: { size: 3 }, idempotencyKey: 'k-1' }), lambdaContext());
    expect(out).toEqual({ data: { id: 't2', size: 3, patientId: 'p1' } });
    expect(seen[0]!.body).toEqual({ size: 3 });
    // The same key and request hash a REST call with `Idempotency-Key: k-1` and this body gets.
    expect(seen[0]!.idempotency).toEqual(idempotencyRequest('k-1', 'POST /patients/{patientId}/things', { size: 3 }));
  });

  it('answers the REST error code as errorType, with the validation details as errorInfo', async () => {
    const invalid = await handler(field('makeThing', { patientId: 'p1', input: { size: 0, colour: 'red' } }), lambdaContext());
    expect(invalid).toMatchObject({ error: { errorType: 'validation_failed', message: expect.any(String) } });
    const details = 'error' in invalid ? (invalid.error.errorInfo?.details ?? []).map((d) => d.path) : [];
    expect(details).toEqual(expect.arrayContaining(['body.size', 'body.colour']));

    expect(await handler(field('makeThing', { patientId: 'p1', input: { size: 1 } }, ['family']), lambdaContext())).toEqual({
      error: { errorType: 'forbidden', message: 'Your role may not do this', errorInfo: null },
    });
    expect(await handler(field('listThings', { patientId: 'elsewhere' }), lambdaContext())).toEqual({
      error: { errorType: 'not_found', message: 'No such patient', errorInfo: null },
    });
    const noClaims = { ...field('listThings', { patientId: 'p1' }), identity: null };
    expect(await handler(noClaims, lambdaContext())).toMatchObject({ error: { errorType: 'unauthenticated' } });
  });

  it('answers true for a 204 route and { contentType, text } for a text answer', async () => {
    expect(await handler(field('dropThing', { patientId: 'p1', thingId: 't1' }), lambdaContext())).toEqual({ data: true });
    expect(await handler(field('exportThings', {}), lambdaContext())).toEqual({ data: { contentType: 'text/csv; charset=utf-8', text: 'id,size\nt1,2\n' } });
  });

  it('refuses a field the function does not serve, and still answers REST events as REST', async () => {
    expect(await handler(field('listOthers', {}), lambdaContext())).toMatchObject({ error: { errorType: 'not_found' } });
    const rest = await handler(apiEvent({ route: 'GET /patients/{patientId}/things', pathParameters: { patientId: 'p1' }, caller: { userId: 'u', orgId: 'org-1', roles: ['aide'] } }), lambdaContext());
    expect(rest.statusCode).toBe(200);
    expect(bodyOf(rest)).toMatchObject({ items: [{ id: 't1' }] });
  });
});
