/**
 * The OpenAPI 3.1 document of the REST API, built from the route table (`lambdas/routes.ts`) and
 * the zod schemas: every route with its roles, parameters, request and response schemas, the
 * contract's error responses, and the Cognito bearer scheme.
 */
import type { RouteDef } from '../../lambdas/shared/http/route-def.js';
import { ErrorBody } from '../../schemas/common.js';
import { ROLES } from '../../schemas/roles.js';
import { buildComponents, REF_PREFIX, type Components, type Json, type SchemaRoot } from './components.js';
import { pascal, type SchemaNames } from './schema-names.js';

export const SECURITY_SCHEME = 'cognito';
/** The committed document's server; the local stack serves the document with its own URL. */
export const DEFAULT_SERVER = { url: 'http://localhost:3000', description: 'The local stack (`npm start`)' };

/** The contract's error responses (API.md, "Conventions"), one component each. */
export const ERROR_RESPONSES = {
  400: { name: 'ValidationFailed', codes: ['validation_failed'], text: 'A path parameter, query parameter or body field is wrong, missing or unknown; `details` name each one.' },
  401: { name: 'Unauthenticated', codes: ['unauthenticated'], text: 'No valid Cognito ID token in `Authorization: Bearer <token>`.' },
  403: { name: 'Forbidden', codes: ['forbidden'], text: "The caller's role may never do this." },
  404: { name: 'NotFound', codes: ['not_found'], text: 'No such record, or one of another org or of a patient the caller may not see (existence does not leak).' },
  409: { name: 'Conflict', codes: ['conflict', 'version_conflict', 'invalid_transition'], text: 'The change conflicts with the current state: a duplicate, a stale `version`, or a transition the state does not allow. Nothing changed.' },
  413: { name: 'PayloadTooLarge', codes: ['payload_too_large'], text: 'The request body is over 256 KB.' },
  422: { name: 'IdempotencyKeyReused', codes: ['idempotency_key_reused'], text: 'This `Idempotency-Key` was used with another body within 24 hours.' },
  429: { name: 'RateLimited', codes: ['rate_limited'], text: 'Too many requests; retry later.' },
  500: { name: 'Internal', codes: ['internal'], text: 'An unexpected error; no internals are shown. Quote the `x-request-id` header.' },
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Which error responses a route can give (as applicable, by what the route takes and guards). */
export function errorStatuses(route: RouteDef): ErrorStatus[] {
  const out: ErrorStatus[] = [400]; // every route rejects unknown query parameters and bodies it does not take
  if (route.auth) out.push(401);
  if (route.auth && route.roles !== 'any') out.push(403);
  if (pathParams(route.path).length > 0) out.push(404);
  if (route.method !== 'GET') out.push(409);
  if (route.body) out.push(413);
  if (route.idempotent) out.push(422);
  out.push(429, 500);
  return out;
}

export const pathParams = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

/** The roles a route admits, as documented (`any` = every role). */
export const rolesOf = (route: RouteDef): readonly string[] => (!route.auth ? [] : route.roles === 'any' ? [...ROLES] : [...route.roles]);

const rootFor = (route: RouteDef, part: 'params' | 'query' | 'body' | 'response'): string =>
  pascal(route.operation) + { params: 'Params', query: 'Query', body: 'Body', response: 'Response' }[part];

export interface ApiDocument {
  readonly document: Json;
  readonly components: Components;
}

export function buildOpenApi(routes: readonly RouteDef[], names: SchemaNames, info: { version: string }): ApiDocument {
  const roots: SchemaRoot[] = [{ schema: ErrorBody, io: 'output', fallbackName: 'ErrorBody' }];
  for (const route of routes) {
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = route[part];
      if (schema) roots.push({ schema, io: 'input', fallbackName: rootFor(route, part) });
    }
    if (route.response) roots.push({ schema: route.response, io: 'output', fallbackName: rootFor(route, 'response') });
  }
  const components = buildComponents(roots, names);
  const ref = (name: string) => ({ $ref: REF_PREFIX + name });
  const errorBodyName = components.nameOf(ErrorBody, 'output');

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const op: Json = {
      operationId: route.operation,
      summary: route.summary,
      description: describeRoute(route),
      tags: [route.fn],
      'x-function': route.fn,
      'x-roles': rolesOf(route),
      'x-idempotent': route.idempotent ?? false,
      security: route.auth ? [{ [SECURITY_SCHEME]: [] }] : [],
    };
    const parameters: Json[] = [];
    const paramsSchema = route.params ? components.schemas[components.nameOf(route.params, 'input')] : undefined;
    for (const name of pathParams(route.path)) {
      const prop = (paramsSchema?.properties as Record<string, Json> | undefined)?.[name];
      parameters.push({ name, in: 'path', required: true, schema: prop ?? { type: 'string' }, ...descriptionOf(prop) });
    }
    if (route.query) {
      const q = components.schemas[components.nameOf(route.query, 'input')]!;
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, prop] of Object.entries((q.properties as Record<string, Json> | undefined) ?? {})) {
        parameters.push({ name, in: 'query', required: required.has(name), schema: prop, ...descriptionOf(prop) });
      }
    }
    if (route.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
    if (parameters.length > 0) op.parameters = parameters;
    if (route.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: ref(components.nameOf(route.body, 'input')) } } };
    }
    const status = route.status ?? 200;
    const responses: Json = {
      [String(status)]: {
        description: status === 204 ? 'Done; no content' : status === 201 ? 'Created' : 'OK',
        ...(route.response && status !== 204 ? { content: { 'application/json': { schema: ref(components.nameOf(route.response, 'output')) } } } : {}),
      },
    };
    for (const s of errorStatuses(route)) responses[String(s)] = { $ref: `#/components/responses/${ERROR_RESPONSES[s].name}` };
    op.responses = responses;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = op;
  }

  const errorComponents: Json = {};
  for (const [status, e] of Object.entries(ERROR_RESPONSES)) {
    errorComponents[e.name] = {
      description: `${status} ${e.codes.map((c) => `\`${c}\``).join(' / ')}: ${e.text}`,
      headers: {
        'x-amzn-ErrorType': { description: "The error's code again, where AWS clients (Amplify's REST client) read an error's name", schema: { type: 'string', enum: [...e.codes] } },
      },
      content: {
        'application/json': {
          schema: ref(errorBodyName),
          example: errorExample(e.codes[0], e.text.split(';')[0]!.replace(/`/g, ''), status === '400' ? [{ path: 'body.displayName', message: 'Required' }] : undefined),
        },
      },
    };
  }

  const document: Json = {
    openapi: '3.1.0',
    info: {
      title: 'CareStack API',
      version: info.version,
      description: INFO_DESCRIPTION,
    },
    servers: [DEFAULT_SERVER],
    tags: [...new Set(routes.map((r) => r.fn))].sort().map((fn) => ({ name: fn, description: `Routes served by the \`${fn}\` function` })),
    security: [{ [SECURITY_SCHEME]: [] }],
    paths,
    components: {
      schemas: components.schemas,
      responses: errorComponents,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'The same key with the same body within 24 hours returns the first response and creates nothing new; with another body: 422 `idempotency_key_reused`.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
      },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A Cognito ID token of the user pool (InitiateAuth, USER_PASSWORD_AUTH). Roles are the token's `cognito:groups`, the org its `custom:orgId`.",
        },
      },
    },
  };
  return { document, components };
}

function describeRoute(route: RouteDef): string {
  const lines = [`${route.summary}.`, ''];
  if (!route.auth) lines.push('**Who:** anyone; no token needed.');
  else if (route.roles === 'any') lines.push('**Who:** any signed-in user (every role).');
  else lines.push(`**Who:** ${route.roles.map((r) => `\`${r}\``).join(', ')}; other roles get 403 \`forbidden\`.`);
  if (pathParams(route.path).includes('patientId') && route.auth) {
    lines.push('', 'A patient the caller may not see (another org, not on their care team) answers 404 `not_found`.');
  }
  if (route.idempotent) lines.push('', 'Send an `Idempotency-Key` to make retries safe.');
  lines.push('', `Served by the \`${route.fn}\` function.`);
  return lines.join('\n');
}

const errorExample = (code: string, message: string, details?: Json[]): Json => ({ message, error: { code, message, ...(details ? { details } : {}) } });

const descriptionOf = (prop: Json | undefined): Json => (typeof prop?.description === 'string' ? { description: prop.description } : {});

const INFO_DESCRIPTION = [
  'One serverless backend for care organisations. Generated by `npm run docs` from the route table',
  '(`lambdas/routes.ts`) and the zod schemas (`schemas/*.ts`); do not edit by hand.',
  '',
  '- **Auth:** `Authorization: Bearer <Cognito ID token>` on every route but `GET /health`. Each',
  '  operation names the roles that may call it (`x-roles`); relationship checks (care team, own',
  '  record, org) answer 404 so existence does not leak.',
  '- **Bodies** are validated strictly: unknown fields, wrong types and missing fields get 400',
  '  `validation_failed`. Bodies over 256 KB get 413.',
  '- **Versions:** `PATCH` bodies carry the `version` last read; a stale one gets 409 `version_conflict`.',
  '- **Idempotency:** creating `POST`s accept `Idempotency-Key` (24 hours).',
  '- **Lists:** `{ items, nextCursor }`, `?limit=` 1..100 (default 25), `?cursor=` from the last page.',
  '- **Errors:** `{ message, error: { code, message, details? } }`; the code is also in the header',
  '  `x-amzn-ErrorType` and the message also at the top level, where AWS clients read them.',
].join('\n');
