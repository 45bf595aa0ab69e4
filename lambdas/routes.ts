import { z } from 'zod';
import { ListOf, ListQuery } from '../schemas/common.js';
import {
  CareTeamMember,
  CareTeamParams,
  CreatedUser,
  CreatePatientBody,
  CreateUserBody,
  Health,
  ListUsersQuery,
  Me,
  Patient,
  PatientParams,
  PutCareTeamMemberBody,
  UpdatePatientBody,
  User,
} from '../schemas/identity.js';
import type { Role } from '../schemas/roles.js';
import type { ApiFunctionId } from './functions.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One REST route. The CDK app builds API Gateway resources and methods from this table, the local
 * gateway matches requests against it, and the domain function dispatches on `${method} ${path}`
 * (API Gateway's `event.resource`). Adding a route here is the only way a route exists.
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

const STAFF = ['admin', 'coordinator'] as const satisfies readonly Role[];
const CLINICAL = ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient'] as const satisfies readonly Role[];

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', path: '/health', fn: 'identity', auth: false, roles: 'any', summary: 'Liveness', response: Health },
  { method: 'GET', path: '/me', fn: 'identity', auth: true, roles: 'any', summary: 'The caller', response: Me },
  {
    method: 'POST', path: '/users', fn: 'identity', auth: true, roles: ['admin'], summary: "Create a user of the caller's org",
    body: CreateUserBody, response: CreatedUser, status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/users', fn: 'identity', auth: true, roles: STAFF, summary: 'Users of the org, optionally by role',
    query: ListUsersQuery, response: ListOf(User),
  },
  {
    method: 'POST', path: '/patients', fn: 'identity', auth: true, roles: STAFF, summary: 'Create a patient',
    body: CreatePatientBody, response: Patient, status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/patients', fn: 'identity', auth: true, roles: CLINICAL, summary: 'Patients the caller may see',
    query: ListQuery, response: ListOf(Patient),
  },
  {
    method: 'GET', path: '/patients/{patientId}', fn: 'identity', auth: true, roles: CLINICAL, summary: 'One patient (the read is audited)',
    params: PatientParams, response: Patient,
  },
  {
    method: 'PATCH', path: '/patients/{patientId}', fn: 'identity', auth: true, roles: STAFF, summary: 'Update a patient',
    params: PatientParams, body: UpdatePatientBody, response: Patient,
  },
  {
    method: 'GET', path: '/patients/{patientId}/care-team', fn: 'identity', auth: true, roles: CLINICAL, summary: "The patient's care team",
    params: PatientParams, response: z.object({ items: z.array(CareTeamMember) }),
  },
  {
    method: 'PUT', path: '/patients/{patientId}/care-team/{userId}', fn: 'identity', auth: true, roles: STAFF, summary: 'Add or change a care-team member',
    params: CareTeamParams, body: PutCareTeamMemberBody, response: CareTeamMember,
  },
  {
    method: 'DELETE', path: '/patients/{patientId}/care-team/{userId}', fn: 'identity', auth: true, roles: STAFF, summary: 'Remove a care-team member',
    params: CareTeamParams, status: 204,
  },
];

/** `${method} ${path}`, the key a domain function dispatches on. */
export const routeKey = (r: Pick<RouteDef, 'method' | 'path'>): string => `${r.method} ${r.path}`;
