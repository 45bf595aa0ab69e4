import type { z } from 'zod';
import type { Role } from '../../../schemas/roles.js';
import type { ApiFunctionId } from '../../functions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST route. The CDK app builds API Gateway resources and methods from this table, the local
 * gateway matches requests against it, and the domain function dispatches on `${method} ${path}`
 * (API Gateway's `event.resource`). Each domain declares its routes (`lambdas/<domain>/routes.ts`); `lambdas/routes.ts` joins them.
 */
export interface RouteDef {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{param}` placeholders. */
  readonly path: string;
  /** The domain function that serves it. */
  readonly fn: ApiFunctionId;
  /** false only for `GET /health`: no Cognito authorizer. */
  readonly auth: boolean;
  /**
   * Roles that may ever call it (403 `forbidden` for the others). Relationship checks (care team,
   * own record, org) happen in the service through the access policy and answer 404.
   */
  readonly roles: readonly Role[] | 'any';
  readonly summary: string;
  /** Path parameters schema. @default - the route has none */
  readonly params?: z.ZodType;
  /** Query string schema. @default - no query parameters are accepted */
  readonly query?: z.ZodType;
  /** Request body schema. @default - no body is accepted */
  readonly body?: z.ZodType;
  /** Success response body (documentation and tests). @default - no body */
  readonly response?: z.ZodType;
  /** Success status. @default 200 */
  readonly status?: number;
  /** Honours `Idempotency-Key` (creating POSTs). @default false */
  readonly idempotent?: boolean;
}


/** `${method} ${path}`, the key a domain function dispatches on. */
export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>): string => `${r.method} ${r.path}`;
