import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { safeParse, type $ZodType } from 'zod/v4/core';
import { callerFromEvent, hasAnyRole, type Caller } from '../auth/caller.js';
import type { Clock } from '../clock.js';
import { idempotencyRequest } from '../data/idempotency.js';
import type { WriteContext } from '../data/write-context.js';
import { ForbiddenError, ValidationError, type ErrorDetail } from '../errors.js';
import type { Logger } from '../logger.js';
import { fromProxyResult, isAppSyncFieldEvent, toProxyEvent, unknownField, type AppSyncFieldEvent, type AppSyncFieldResult } from './appsync.js';
import { errorResponses, header, json, jsonBody, requestLogging, responseHeaders, type ApiEvent } from './middleware.js';
import { routeKey, type DomainRoutes, type RouteDecl, type RouteDef, type RouteHandlers, type RouteInput, type RouteKey } from './route-def.js';

export type { RouteInput } from './route-def.js';

export interface ApiDeps {
  logger: Logger;
  clock: Clock;
  /** Web origins allowed by CORS. @default none */
  corsAllowOrigins?: readonly string[];
}

/**
 * A domain function's entry: an API Gateway event answers as REST, an AppSync field event (from
 * the shared resolver, schemas/resolvers/route.js) as the field's result; both run one pipeline.
 */
export interface ApiHandler {
  (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
  (event: AppSyncFieldEvent, context: Context): Promise<AppSyncFieldResult>;
}

/**
 * The one Lambda handler shape for a domain function: middleware parses, logs, maps errors and sets
 * headers; the dispatcher checks the route's roles, validates params, query and body with the
 * route's own schemas (zod), and calls its handler. The function gets only its own domain's routes
 * (`lambdas/<domain>/routes.ts`), so its bundle carries no other domain's schemas; `handlers` must
 * have exactly one entry per route, checked by the compiler (RouteHandlers).
 */
export function createApiHandler<R extends Record<RouteKey, RouteDecl>>(
  routes: DomainRoutes<R>,
  handlers: RouteHandlers<R>,
  deps: ApiDeps,
): ApiHandler {
  // Inputs are checked against each route's declaration at compile time (RouteHandlers) and
  // parsed with its schemas below; the table itself holds them untyped.
  type Handle = (input: RouteInput<unknown, unknown, unknown>) => Promise<unknown>;
  const table = new Map<string, { def: RouteDef; handle: Handle }>();
  // GraphQL fields by name (the route's operation), for AppSync field events.
  const fields = new Map<string, RouteDef>();
  for (const def of routes) {
    const handle = (handlers as Record<string, Handle | undefined>)[routeKey(def)];
    if (!handle) throw new Error(`Function ${routes.fn} has no handler for route ${routeKey(def)}`);
    table.set(routeKey(def), { def, handle });
    if (def.auth) fields.set(def.operation, def);
  }
  // The compiler already refuses both mismatches; these keep an untyped caller honest too.
  for (const key of Object.keys(handlers)) {
    if (!table.has(key)) throw new Error(`Function ${routes.fn} handles ${key}, which is not in the route table`);
  }

  const dispatch = async (event: ApiEvent): Promise<APIGatewayProxyResult> => {
    const key = `${event.httpMethod} ${event.resource}`;
    const entry = table.get(key);
    if (!entry) throw new ValidationError(`No route ${key}`);
    const { def, handle } = entry;

    const caller = def.auth ? callerFromEvent(event) : anonymous;
    if (def.auth && def.roles !== 'any' && !hasAnyRole(caller, def.roles)) {
      throw new ForbiddenError('Your role may not do this');
    }
    const params = parse(def.params, event.pathParameters ?? {}, 'path');
    const query = parse(def.query, event.queryStringParameters ?? {}, 'query');
    const body = def.body ? parse(def.body, event.parsedBody, 'body') : noBody(event.parsedBody);
    const write: WriteContext = {
      orgId: caller.orgId,
      actorId: caller.userId,
      actorRoles: caller.roles,
      requestId: event.requestContext.requestId,
      source: 'api',
      now: deps.clock.now().toISOString(),
    };
    const idemKey = def.idempotent ? header(event, 'idempotency-key') : undefined;
    if (idemKey !== undefined && (idemKey.length < 1 || idemKey.length > 255)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 characters', [{ path: 'Idempotency-Key', message: 'invalid' }]);
    }
    const result = await handle({
      caller,
      params,
      query,
      body,
      write,
      ...(idemKey ? { idempotency: idempotencyRequest(idemKey, key, event.parsedBody) } : {}),
    });
    const status = def.status ?? 200;
    if (def.produces && typeof result === 'string') return { statusCode: status, headers: { 'content-type': def.produces }, body: result };
    // A JSON media type of its own (`application/fhir+json`): the object as JSON under that type.
    if (def.produces && /[/+]json\b/i.test(def.produces) && status !== 204) return { ...json(status, result), headers: { 'content-type': def.produces } };
    return json(status, status === 204 ? undefined : result);
  };

  const rest = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error>()
    .use(requestLogging(deps.logger))
    .use(responseHeaders(deps.corsAllowOrigins ?? []))
    .use(errorResponses(deps.logger))
    .use(jsonBody())
    .handler(dispatch);

  // A GraphQL field call is the REST request it stands for, through the same middleware and dispatch.
  const entry = async (event: APIGatewayProxyEvent | AppSyncFieldEvent, context: Context): Promise<APIGatewayProxyResult | AppSyncFieldResult> => {
    if (!isAppSyncFieldEvent(event)) return rest(event, context);
    const def = fields.get(event.field);
    if (!def) return unknownField(event.field);
    return fromProxyResult(await rest(toProxyEvent(event, def), context), def);
  };
  return entry as ApiHandler;
}

const anonymous: Caller = { userId: 'anonymous', orgId: 'none', roles: [], email: '', displayName: '' };

function parse(schema: $ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) {
    if (where === 'query' && value && Object.keys(value).length > 0) {
      throw new ValidationError('This route takes no query parameters', Object.keys(value).map((k) => ({ path: `query.${k}`, message: 'unknown parameter' })));
    }
    return undefined;
  }
  const out = safeParse(schema, value);
  if (out.success) return out.data;
  const details: ErrorDetail[] = out.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [where, ...i.path.map(String), k].join('.'), message: 'unknown field' }))
      : [{ path: [where, ...i.path.map(String)].join('.'), message: i.message }],
  );
  throw new ValidationError(`Invalid ${where === 'path' ? 'path parameter' : where}`, details);
}

/**
 * A route that takes no body accepts none, an empty one, or `{}` (what `post(url, {})` sends in
 * Amplify and axios); anything else, a key included, is refused.
 */
function noBody(parsed: unknown): undefined {
  const emptyObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length === 0;
  if (parsed !== undefined && !emptyObject) throw new ValidationError('This route takes no body', [{ path: 'body', message: 'must be empty' }]);
  return undefined;
}
