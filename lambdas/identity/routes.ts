import * as z from 'zod';
import { ListOf, ListQuery } from '../../schemas/common.js';
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
} from '../../schemas/identity.js';
import { CLINICAL_ROLES as CLINICAL, STAFF_ROLES as STAFF } from '../../schemas/roles.js';
import type { RouteDef } from '../shared/http/route-def.js';

/** Identity and people (API.md): served by the `identity` function. */
export const IDENTITY_ROUTES: readonly RouteDef[] = [
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
