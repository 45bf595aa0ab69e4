import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Role } from '../../../schemas/roles.js';
import type { ApiFunctionId } from '../../functions.js';
import { ROUTES, routeKey, type RouteDef } from '../../routes.js';
import { callerFromEvent, hasAnyRole, type Caller } from '../auth/caller.js';
import type { Clock } from '../clock.js';
import { idempotencyRequest, type IdempotencyRequest } from '../data/idempotency.js';
import type { WriteContext } from '../data/write-context.js';
import { ForbiddenError, ValidationError, type ErrorDetail } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorResponses, header, json, jsonBody, requestLogging, responseHeaders, type ApiEvent } from './middleware.js';

/** What a route's `handle` gets: validated input and the caller, never the raw event. */
export interface RouteInput<P, Q, B> {
  caller: Caller;
  params: P;
  query: Q;
  body: B;
  /** Stamped on every write so the audit trail names the actor. */
  write: WriteContext;
  /** Set on creating POSTs that carried an `Idempotency-Key`. */
  idempotency?: IdempotencyRequest;
}

/**
 * A route's handling. Schemas, status and idempotency normally come from the route table
 * (`lambdas/routes.ts`); a spec may override them.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Success status; `204` sends no body. @default 200 */
  status?: number;
  /** Honour `Idempotency-Key` (creating POSTs). @default false */
  idempotent?: boolean;
  handle(input: RouteInput<P, Q, B>): Promise<unknown>;
}

/** Declares one route's handling with types inferred from its schemas. */
export const route = <P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> => spec;

export interface ApiDeps {
  logger: Logger;
  clock: Clock;
  /** Web origins allowed by CORS. @default none */
  corsAllowOrigins?: readonly string[];
}

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one Lambda handler shape for a domain function: middleware parses, logs, maps errors and sets
 * headers; the dispatcher checks the route's roles, validates params, query and body with zod, and
 * calls the route's `handle`. Every route of the function in the route table must be handled here,
 * and nothing else: a mismatch fails at cold start, not at request time.
 */
export function createApiHandler(
  fn: ApiFunctionId,
  specs: Record<string, RouteSpec<any, any, any>>,
  deps: ApiDeps,
): ApiHandler {
  const table = new Map<string, { def: RouteDef; spec: RouteSpec<any, any, any> }>();
  for (const def of ROUTES.filter((r) => r.fn === fn)) {
    const own = specs[routeKey(def)];
    if (!own) throw new Error(`Function ${fn} has no handler for route ${routeKey(def)}`);
    // Schemas, status and idempotency come from the route table unless the spec overrides them.
    const spec: RouteSpec<any, any, any> = {
      ...pickDefined({ params: def.params, query: def.query, body: def.body, status: def.status, idempotent: def.idempotent }),
      ...pickDefined(own),
    } as RouteSpec<any, any, any>;
    table.set(routeKey(def), { def, spec });
  }
  for (const key of Object.keys(specs)) {
    if (!table.has(key)) throw new Error(`Function ${fn} handles ${key}, which is not in the route table`);
  }

  const dispatch = async (event: ApiEvent): Promise<APIGatewayProxyResult> => {
    const key = `${event.httpMethod} ${event.resource}`;
    const entry = table.get(key);
    if (!entry) throw new ValidationError(`No route ${key}`);
    const { def, spec } = entry;

    const caller = def.auth ? callerFromEvent(event) : anonymous;
    if (def.auth && def.roles !== 'any' && !hasAnyRole(caller, def.roles as readonly Role[])) {
      throw new ForbiddenError('Your role may not do this');
    }
    const params = parse(spec.params, event.pathParameters ?? {}, 'path');
    const query = parse(spec.query, event.queryStringParameters ?? {}, 'query');
    const body = spec.body ? parse(spec.body, event.parsedBody, 'body') : noBody(event.parsedBody);
    const write: WriteContext = {
      orgId: caller.orgId,
      actorId: caller.userId,
      actorRoles: caller.roles,
      requestId: event.requestContext.requestId,
      source: 'api',
      now: deps.clock.now().toISOString(),
    };
    const idemKey = spec.idempotent ? header(event, 'idempotency-key') : undefined;
    if (idemKey !== undefined && (idemKey.length < 1 || idemKey.length > 255)) {
      throw new ValidationError('Idempotency-Key must be 1 to 255 characters', [{ path: 'Idempotency-Key', message: 'invalid' }]);
    }
    const result = await spec.handle({
      caller,
      params,
      query,
      body,
      write,
      ...(idemKey ? { idempotency: idempotencyRequest(idemKey, key, event.parsedBody) } : {}),
    });
    const status = spec.status ?? 200;
    return json(status, status === 204 ? undefined : result);
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error>()
    .use(requestLogging(deps.logger))
    .use(responseHeaders(deps.corsAllowOrigins ?? []))
    .use(errorResponses(deps.logger))
    .use(jsonBody())
    .handler(dispatch as (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>) as unknown as ApiHandler;
}

const pickDefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const anonymous: Caller = { userId: 'anonymous', orgId: 'none', roles: [], email: '', displayName: '' };

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'path' | 'query' | 'body'): T {
  if (!schema) {
    if (where === 'query' && value && Object.keys(value as object).length > 0) {
      throw new ValidationError('This route takes no query parameters', Object.keys(value as object).map((k) => ({ path: `query.${k}`, message: 'unknown parameter' })));
    }
    return undefined as T;
  }
  const out = schema.safeParse(value);
  if (out.success) return out.data;
  const details: ErrorDetail[] = out.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: [where, ...i.path.map(String), k].join('.'), message: 'unknown field' }))
      : [{ path: [where, ...i.path.map(String)].join('.'), message: i.message }],
  );
  throw new ValidationError(`Invalid ${where === 'path' ? 'path parameter' : where}`, details);
}

function noBody(parsed: unknown): undefined {
  if (parsed !== undefined) throw new ValidationError('This route takes no body', [{ path: 'body', message: 'must be empty' }]);
  return undefined;
}
