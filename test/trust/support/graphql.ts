/**
 * The trust suites over GraphQL: an adapter that turns a REST request of the route table (method,
 * path, query string, body, Idempotency-Key) into its field's query with variables, as a client of
 * schemas/api.graphql would write it, and reads the AppSync answer back as the REST status it stands
 * for. The matrix and the hostile inputs keep one list of cases; only the transport changes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getNamedType,
  GraphQLEnumType,
  GraphQLObjectType,
  GraphQLScalarType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { ROUTES, routeKey, type RouteDef } from '../../../lambdas/routes.js';
import { buildAppSyncSchema } from '../../../local/realtime/schema.js';
import type { Json } from '../../support/json.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** schemas/api.graphql with AppSync's scalars and directives, as the local endpoint serves it. */
export const API_SCHEMA: GraphQLSchema = buildAppSyncSchema(readFileSync(path.join(ROOT, 'schemas/api.graphql'), 'utf8'));

/** The REST status an AppSync errorType stands for (the REST error codes, lambdas/shared/errors.ts). */
const STATUS_OF: Record<string, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  invalid_transition: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  rate_limited: 429,
};

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
}

export interface GraphqlAnswer {
  data: Record<string, unknown> | null;
  errors?: Array<{ message: string; errorType: string | null; errorInfo?: unknown; path?: unknown }>;
}

/** The field a route is served by (Query for GET, Mutation otherwise). */
export function fieldOf(route: RouteDef): GraphQLField<unknown, unknown> {
  const root = route.method === 'GET' ? API_SCHEMA.getQueryType() : API_SCHEMA.getMutationType();
  const field = root?.getFields()[route.operation];
  if (!field) throw new Error(`${routeKey(route)}: no field ${route.operation} in schemas/api.graphql`);
  return field;
}

/**
 * A selection of every field of `type`, nested objects too (to `depth` levels), as a client asking
 * for everything would write it. Scalars and enums need no selection.
 */
export function selectAll(type: GraphQLNamedType, depth = 6): string {
  if (!(type instanceof GraphQLObjectType)) return '';
  const parts: string[] = [];
  for (const f of Object.values(type.getFields())) {
    const named = getNamedType(f.type);
    if (named instanceof GraphQLScalarType || named instanceof GraphQLEnumType) parts.push(f.name);
    else if (named instanceof GraphQLObjectType && depth > 1) {
      const inner = selectAll(named, depth - 1);
      if (inner) parts.push(`${f.name} ${inner}`);
    }
  }
  return parts.length ? `{ ${parts.join(' ')} }` : '{ __typename }';
}

/** A query-string or path value as the argument's GraphQL type takes it (what a client would send). */
function coerce(value: string, type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isListType(isNonNullType(type) ? type.ofType : type)) return value.split(',');
  if (named.name === 'Int' || named.name === 'Float') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (named.name === 'Boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

const pathPattern = (route: RouteDef) => new RegExp(`^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);

/** The route of the table a REST request goes to (the same matching as the gateway's, by template). */
export function routeFor(method: string, url: string): RouteDef | undefined {
  const pathname = url.split('?')[0]!;
  return ROUTES.find((r) => r.method === method && pathPattern(r).test(pathname));
}

/**
 * The GraphQL request standing for a REST request: path parameters and query arguments become the
 * field's arguments, the body `input`, an Idempotency-Key header `idempotencyKey`. Everything is
 * sent as variables, with the argument types of the schema.
 */
export function toGraphql(route: RouteDef, url: string, body?: unknown, headers: Record<string, string> = {}, options: { selection?: string; hostile?: boolean } = {}): GraphqlRequest {
  const field = fieldOf(route);
  const [pathname, search = ''] = url.split('?') as [string, string?];
  const match = pathPattern(route).exec(pathname);
  if (!match) throw new Error(`${url} is not a path of ${routeKey(route)}`);
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(match.groups ?? {})) raw[k] = decodeURIComponent(v);
  for (const [k, v] of new URLSearchParams(search)) raw[k] = v;
  const key = Object.entries(headers).find(([k]) => k.toLowerCase() === 'idempotency-key')?.[1];
  const variables: Record<string, unknown> = {};
  const declared: string[] = [];
  const args: string[] = [];
  for (const arg of field.args) {
    let value: unknown;
    if (arg.name === 'input') value = body;
    else if (arg.name === 'idempotencyKey') value = key;
    else if (arg.name in raw) value = coerce(raw[arg.name]!, arg.type);
    if (value === undefined) continue;
    variables[arg.name] = value;
    declared.push(`$${arg.name}: ${String(arg.type)}`);
    args.push(`${arg.name}: $${arg.name}`);
  }
  const unused = Object.keys(raw).filter((k) => !field.args.some((a) => a.name === k));
  if (unused.length && !options.hostile) throw new Error(`${routeKey(route)}: ${unused.join(', ')} has no argument on ${field.name}`);
  // A hostile request keeps what the field does not take, as arguments the schema must refuse.
  const extra: Array<[string, unknown]> = options.hostile
    ? [...unused.filter((k) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k)).map((k): [string, unknown] => [k, raw[k]]), ...(body !== undefined && !field.args.some((a) => a.name === 'input') ? [['input', body] as [string, unknown]] : [])]
    : [];
  for (const [name, value] of extra) {
    variables[name] = value;
    declared.push(`$${name}: AWSJSON`);
    args.push(`${name}: $${name}`);
  }
  const select = options.selection ?? selectAll(getNamedType(field.type));
  const kind = route.method === 'GET' ? 'query' : 'mutation';
  const query = `${kind} ${field.name[0]!.toUpperCase()}${field.name.slice(1)}${declared.length ? `(${declared.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''} ${select} }`;
  return { query, variables };
}

/**
 * The REST status an answer stands for: the route's success status when the field has data, the
 * REST code's status for an errorType, 0 for anything else (a GraphQL validation error, an
 * unexpected shape). `body` is the field's value, or `{ error: { code, message } }`.
 */
export function asRest(route: RouteDef, answer: GraphqlAnswer): { status: number; body: Json } {
  const value = answer.data?.[route.operation];
  const error = answer.errors?.[0];
  if (value !== undefined && value !== null && !error) return { status: route.status ?? 200, body: value };
  if (error && (answer.data === null || answer.data?.[route.operation] === null)) {
    return { status: STATUS_OF[error.errorType ?? ''] ?? 0, body: { error: { code: error.errorType, message: error.message, graphql: true } } };
  }
  return { status: 0, body: answer };
}

/** POSTs a request to a GraphqlUrl with a token, as AppSync's user-pool auth takes it. */
export async function postGraphql(url: string, token: string | undefined, request: GraphqlRequest | Record<string, unknown>): Promise<{ status: number; answer: GraphqlAnswer }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: JSON.stringify(request),
  });
  const text = await res.text();
  let answer: GraphqlAnswer;
  try {
    answer = JSON.parse(text) as GraphqlAnswer;
  } catch {
    answer = { data: null, errors: [{ message: text, errorType: null }] };
  }
  return { status: res.status, answer };
}

/**
 * Differences between a REST body and the GraphQL value of the same read: every field REST answers
 * must come back equal, and GraphQL may add only nulls (fields REST leaves out). AWSJSON values come
 * as JSON strings and are compared parsed. Values made per request are compared for what they are:
 * a `...Url` without its query string (a presigned URL's signature and time), `expiresAt` and a
 * window defaulted to now (`from`, `to`) within 5 s. Returns paths with both values, empty when equal.
 */
export function parityDiff(rest: unknown, graphql: unknown, at = '$'): string[] {
  if (typeof graphql === 'string' && rest !== null && typeof rest === 'object') {
    try {
      return parityDiff(rest, JSON.parse(graphql) as unknown, at);
    } catch {
      return [`${at}: REST ${JSON.stringify(rest).slice(0, 80)}, GraphQL ${graphql.slice(0, 80)}`];
    }
  }
  if (Array.isArray(rest) && Array.isArray(graphql)) {
    if (rest.length !== graphql.length) return [`${at}: REST ${rest.length} items, GraphQL ${graphql.length}`];
    return rest.flatMap((r, i) => parityDiff(r, graphql[i], `${at}[${i}]`));
  }
  if (rest !== null && typeof rest === 'object' && graphql !== null && typeof graphql === 'object' && !Array.isArray(rest) && !Array.isArray(graphql)) {
    const r = rest as Record<string, unknown>;
    const g = graphql as Record<string, unknown>;
    const out: string[] = [];
    for (const k of new Set([...Object.keys(r), ...Object.keys(g)])) {
      if (!(k in r)) {
        if (g[k] !== null) out.push(`${at}.${k}: not in REST, GraphQL ${JSON.stringify(g[k]).slice(0, 80)}`);
      } else if (!(k in g)) out.push(`${at}.${k}: REST ${JSON.stringify(r[k]).slice(0, 80)}, not selectable in GraphQL`);
      else out.push(...parityDiff(r[k], g[k], `${at}.${k}`));
    }
    return out;
  }
  // Values made per request: a presigned URL's signature and time, and the time it expires.
  if (typeof rest === 'string' && typeof graphql === 'string') {
    if (/Url$/.test(at) && rest.split('?')[0] === graphql.split('?')[0]) return [];
    // The time it expires, a window defaulted to "now" (getAdherence without from/to), and when an answer was assembled (a FHIR Bundle's `timestamp`).
    if (/\.(expiresAt|from|to|timestamp)$/.test(at) && Math.abs(Date.parse(rest) - Date.parse(graphql)) < 5_000) return [];
  }
  return Object.is(rest, graphql) ? [] : [`${at}: REST ${JSON.stringify(rest)?.slice(0, 80)}, GraphQL ${JSON.stringify(graphql)?.slice(0, 80)}`];
}
