import type { $ZodType, input, output } from 'zod/v4/core';
import type { Role } from '../../../schemas/roles.js';
import type { Caller } from '../auth/caller.js';
import type { IdempotencyRequest } from '../data/idempotency.js';
import type { WriteContext } from '../data/write-context.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `${method} ${path}`: the key a route is declared under and a domain function dispatches on. */
export type RouteKey = `${HttpMethod} /${string}`;

/**
 * One route as its domain declares it, under its `RouteKey` (`lambdas/<domain>/routes.ts`). This
 * is the only place a route's schemas, roles, status and idempotency are written: the CDK app
 * builds API Gateway methods from it, the local gateway matches requests against it, the API
 * documents are generated from it, and the domain's handler map is typed by it (`RouteHandlers`),
 * so a handler whose input does not match these schemas, or a route without a handler, does not
 * compile.
 */
export interface RouteDecl {
  /**
   * The operation's name: a short camelCase verb phrase (`listPatients`, `reportIncident`). It is
   * the OpenAPI `operationId`, the GraphQL field (`Query` for a GET, `Mutation` otherwise) and the
   * client method, so it is unique across the route table (test/unit/lambdas/shared/operation-names.test.ts).
   */
  readonly operation: string;
  /** false only for `GET /health`: no Cognito authorizer. @default true */
  readonly auth?: boolean;
  /**
   * Roles that may ever call it (403 `forbidden` for the others). Relationship checks (care team,
   * own record, org) happen in the service through the access policy and answer 404.
   */
  readonly roles: readonly Role[] | 'any';
  readonly summary: string;
  /** Path parameters schema; its keys are the path's `{param}`s. @default - the route has none */
  readonly params?: $ZodType;
  /** Query string schema. @default - no query parameters are accepted */
  readonly query?: $ZodType;
  /** Request body schema. @default - no body is accepted */
  readonly body?: $ZodType;
  /** Success response body (documentation, tests, and the type its handler must return). @default - no body */
  readonly response?: $ZodType;
  /** Success status; `204` sends no body. @default 200 */
  readonly status?: number;
  /** Honours `Idempotency-Key` (creating POSTs). @default false */
  readonly idempotent?: boolean;
  /**
   * Content type of a string answer (an export file); any other answer is still JSON, sent under
   * this type when it is a JSON type itself (`application/fhir+json`).
   * @default - JSON only
   */
  readonly produces?: string;
}

/** A route of the route table: its declaration with method, path and function spelled out. */
export interface RouteDef extends RouteDecl {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  /** The domain function that serves it (its domain's id, lambdas/domains.ts). */
  readonly fn: string;
  readonly auth: boolean;
}

/**
 * A domain's routes: the list the route table joins (an array, so it reads like one), carrying the
 * declarations under their keys so the domain's handler map can be typed from them.
 */
export type DomainRoutes<R extends Record<RouteKey, RouteDecl> = Record<RouteKey, RouteDecl>> = readonly RouteDef[] & {
  readonly fn: string;
  readonly decls: R;
};

/** Declares the routes one domain function serves (see RouteDecl). */
export function defineRoutes<const R extends Record<RouteKey, RouteDecl>>(fn: string, decls: R): DomainRoutes<R> {
  const list: RouteDef[] = Object.entries(decls).map(([key, decl]) => {
    const space = key.indexOf(' ');
    return { ...decl, method: key.slice(0, space) as HttpMethod, path: key.slice(space + 1), fn, auth: decl.auth ?? true };
  });
  return Object.assign(list, { fn, decls });
}

/** `${method} ${path}`, the key a domain function dispatches on. */
export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>): RouteKey => `${r.method} ${r.path}` as RouteKey;

/** Who is writing, and the validated input: what a route's handler gets (never the raw event). */
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

type Parsed<D, K extends 'params' | 'query' | 'body'> = D extends { readonly [P in K]: infer S extends $ZodType } ? output<S> : undefined;
/** What the handler returns: the response schema's input (what serialises to it), nothing for 204. */
type Answer<D> = D extends { readonly response: infer S extends $ZodType } ? input<S> : D extends { readonly status: 204 } ? void : unknown;

/** The input a declared route's handler receives: its schemas' parsed types. */
export type RouteInputOf<D> = RouteInput<Parsed<D, 'params'>, Parsed<D, 'query'>, Parsed<D, 'body'>>;

/** One handler per declared route, typed by its declaration. */
export type RouteHandlers<R> = { readonly [K in keyof R]: (input: RouteInputOf<R[K]>) => Promise<Answer<R[K]>> };
