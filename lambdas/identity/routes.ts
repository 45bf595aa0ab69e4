import * as z from 'zod/mini';
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
import { OrgSettings, UpdateOrgSettingsBody } from '../../schemas/org-settings.js';
import { CLINICAL_ROLES as CLINICAL, STAFF_ROLES as STAFF } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Identity and people (API.md): served by the `identity` function. */
export const IDENTITY_ROUTES = defineRoutes('identity', {
  'GET /health': { operation: 'getHealth', auth: false, roles: 'any', summary: 'Liveness', response: Health },
  'GET /me': { operation: 'getMe', roles: 'any', summary: 'The caller', response: Me },
  'POST /users': {
    operation: 'createUser', roles: ['admin'], summary: "Create a user of the caller's org",
    body: CreateUserBody, response: CreatedUser, status: 201, idempotent: true,
  },
  'GET /users': {
    operation: 'listUsers', roles: STAFF, summary: 'Users of the org, optionally by role',
    query: ListUsersQuery, response: ListOf(User),
  },
  'POST /patients': {
    operation: 'createPatient', roles: STAFF, summary: 'Create a patient',
    body: CreatePatientBody, response: Patient, status: 201, idempotent: true,
  },
  'GET /patients': {
    operation: 'listPatients', roles: CLINICAL, summary: 'Patients the caller may see',
    query: ListQuery, response: ListOf(Patient),
  },
  'GET /patients/{patientId}': {
    operation: 'getPatient', roles: CLINICAL, summary: 'One patient (the read is audited)',
    params: PatientParams, response: Patient,
  },
  'PATCH /patients/{patientId}': {
    operation: 'updatePatient', roles: STAFF, summary: 'Update a patient',
    params: PatientParams, body: UpdatePatientBody, response: Patient,
  },
  'GET /patients/{patientId}/care-team': {
    operation: 'listCareTeam', roles: CLINICAL, summary: "The patient's care team",
    params: PatientParams, response: z.object({ items: z.array(CareTeamMember) }),
  },
  'PUT /patients/{patientId}/care-team/{userId}': {
    operation: 'setCareTeamMember', roles: STAFF, summary: 'Add or change a care-team member',
    params: CareTeamParams, body: PutCareTeamMemberBody, response: CareTeamMember,
  },
  'DELETE /patients/{patientId}/care-team/{userId}': {
    operation: 'removeCareTeamMember', roles: STAFF, summary: 'Remove a care-team member',
    params: CareTeamParams, status: 204,
  },
  'GET /org/settings': {
    operation: 'getOrgSettings', roles: STAFF, summary: "The org's settings (time zone, travel speed, EVV lock, critical-result escalation, message retention)", response: OrgSettings,
  },
  'PATCH /org/settings': {
    operation: 'updateOrgSettings', roles: ['admin'], summary: "Change the org's settings", body: UpdateOrgSettingsBody, response: OrgSettings,
  },
});
