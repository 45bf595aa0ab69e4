/**
 * GraphQL over the same pipeline as REST. The shared AppSync resolver (schemas/resolvers/route.js)
 * invokes a domain function with an `AppSyncFieldEvent`; the function turns it into the API
 * Gateway event its route would have received (the REST body from `input`, path and query
 * parameters from the other arguments, `Idempotency-Key` from `idempotencyKey`, the caller's
 * claims, AppSync's request id) and runs it through the very middleware and dispatcher REST
 * requests take: the same role check, validation, service call, access decision and audit. The
 * REST answer then becomes the field's result, or an error the resolver raises with `util.error`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorDetail } from '../errors.js';
import type { RouteDef } from './route-def.js';
import { anonymousIdentity } from './request-identity.js';

/** What the shared resolver's request handler sends (`Invoke` payload). */
export interface AppSyncFieldEvent {
  /** The GraphQL field: the route's `operation`. */
  readonly field: string;
  readonly parentType: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** AppSync's Cognito identity: `claims` are the verified token's (ID or access token). */
  readonly identity: { readonly sub?: string; readonly claims?: Readonly<Record<string, unknown>> } | null;
  /** AppSync's request id, the audit records' `requestId`. */
  readonly requestId: string;
}

/** The field's error as the resolver hands it to `util.error(message, errorType, null, errorInfo)`. */
export interface AppSyncFieldError {
  readonly message: string;
  /** The REST error code (`not_found`, `validation_failed`, ...). */
  readonly errorType: string;
  readonly errorInfo: { readonly details: readonly ErrorDetail[] } | null;
}

/** What the function answers the resolver: the field's value, or its error. */
export type AppSyncFieldResult = { readonly data: unknown } | { readonly error: AppSyncFieldError };

/** The GraphQL argument that carries the REST body, and the one that carries `Idempotency-Key`. */
export const INPUT_ARGUMENT = 'input';
export const IDEMPOTENCY_KEY_ARGUMENT = 'idempotencyKey';

export const isAppSyncFieldEvent = (event: unknown): event is AppSyncFieldEvent =>
  typeof event === 'object' &&
  event !== null &&
  typeof (event as { field?: unknown }).field === 'string' &&
  typeof (event as { arguments?: unknown }).arguments === 'object' &&
  !('httpMethod' in event);

const pathParamNames = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

/** A query-string value as API Gateway would hand it over: always a string. */
const queryValue = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);

/**
 * The API Gateway event of the REST request this field call stands for. Arguments that are not
 * path parameters, `input` or `idempotencyKey` are query parameters (GraphQL has already checked
 * their names and types against the generated schema; the route's zod schemas check the rest).
 */
export function toProxyEvent(event: AppSyncFieldEvent, route: RouteDef): APIGatewayProxyEvent {
  const pathNames = new Set(pathParamNames(route.path));
  const pathParameters: Record<string, string> = {};
  const query: Record<string, string> = {};
  let body: string | null = null;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(event.arguments)) {
    if (value === undefined || value === null) continue;
    if (pathNames.has(name)) pathParameters[name] = queryValue(value);
    else if (name === INPUT_ARGUMENT) body = JSON.stringify(value);
    else if (name === IDEMPOTENCY_KEY_ARGUMENT) headers['Idempotency-Key'] = queryValue(value);
    else query[name] = queryValue(value);
  }
  const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(pathParameters[name] ?? ''));
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: route.path,
    path,
    httpMethod: route.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: pathNames.size > 0 ? pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '',
      apiId: 'appsync',
      // The claims as AppSync verified them; callerFromClaims reads arrays and strings alike.
      authorizer: { claims: event.identity?.claims ?? {} },
      httpMethod: route.method,
      identity: anonymousIdentity('', null),
      path,
      protocol: 'GraphQL',
      requestId: event.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: event.field,
      resourcePath: route.path,
      stage: 'graphql',
    },
  };
}

/**
 * The REST answer as the field's result: a JSON body as it is, `true` for 204, a text answer
 * (`produces`, e.g. CSV) as `{ contentType, text }` (the field is AWSJSON); an error body as
 * `{ message, errorType: code, errorInfo: { details } }`.
 */
export function fromProxyResult(result: APIGatewayProxyResult, route: RouteDef): AppSyncFieldResult {
  if (result.statusCode >= 400) {
    let error: { code?: unknown; message?: unknown; details?: unknown } = {};
    try {
      error = ((JSON.parse(result.body) as { error?: typeof error }).error ?? {});
    } catch {
      // not a contract error body: reported as internal below
    }
    return {
      error: {
        message: typeof error.message === 'string' ? error.message : 'Something went wrong; try again later',
        errorType: typeof error.code === 'string' ? error.code : 'internal',
        errorInfo: Array.isArray(error.details) ? { details: error.details as ErrorDetail[] } : null,
      },
    };
  }
  if (result.statusCode === 204 || result.body === '') return { data: true };
  const contentType = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (route.produces && typeof contentType === 'string' && !/json/i.test(contentType)) {
    return { data: { contentType, text: result.body } };
  }
  return { data: JSON.parse(result.body) as unknown };
}

/** An error answer for a field this function does not serve (a resolver wired to the wrong function). */
export const unknownField = (field: string): AppSyncFieldResult => ({
  error: { message: `This function serves no field ${field}`, errorType: 'not_found', errorInfo: null },
});
