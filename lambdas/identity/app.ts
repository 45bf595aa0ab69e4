import type {
  CareTeamParams,
  CreatePatientBody,
  CreateUserBody,
  ListUsersQuery,
  PatientParams,
  PutCareTeamMemberBody,
  UpdatePatientBody,
} from '../../schemas/identity.js';
import type { ListQuery } from '../../schemas/common.js';
import type { z } from 'zod';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, route, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { IdentityRepository } from './repository.js';
import { IdentityService } from './service.js';
import type { UserDirectory } from './user-directory.js';

export interface IdentityDeps {
  db: Db;
  directory: UserDirectory;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

type In<T extends z.ZodType> = z.infer<T>;

/**
 * The identity/patients function: each route of lambdas/routes.ts (which holds its schemas) is a
 * line from validated input to a use case.
 */
export function createIdentityHandler(deps: IdentityDeps): ApiHandler {
  const repo = new IdentityRepository(deps.db);
  const service = new IdentityService(repo, new AccessPolicy(repo, repo), deps.directory, deps.db);

  return createApiHandler(
    'identity',
    {
      'GET /health': route({ handle: async () => ({ status: 'ok' }) }),
      'GET /me': route({ handle: async ({ caller }) => service.me(caller) }),
      'POST /users': route<undefined, undefined, In<typeof CreateUserBody>>({
        handle: ({ write, body, idempotency }) => service.createUser(write, body, idempotency),
      }),
      'GET /users': route<undefined, In<typeof ListUsersQuery>>({
        handle: ({ caller, query: { role, ...page } }) => service.listUsers(caller, role, page),
      }),
      'POST /patients': route<undefined, undefined, In<typeof CreatePatientBody>>({
        handle: ({ write, body, idempotency }) => service.createPatient(write, body, idempotency),
      }),
      'GET /patients': route<undefined, In<typeof ListQuery>>({
        handle: ({ caller, query }) => service.listPatients(caller, query),
      }),
      'GET /patients/{patientId}': route<In<typeof PatientParams>>({
        handle: ({ caller, write, params }) => service.getPatient(caller, write, params.patientId),
      }),
      'PATCH /patients/{patientId}': route<In<typeof PatientParams>, undefined, In<typeof UpdatePatientBody>>({
        handle: ({ caller, write, params, body }) => service.updatePatient(caller, write, params.patientId, body),
      }),
      'GET /patients/{patientId}/care-team': route<In<typeof PatientParams>>({
        handle: ({ caller, params }) => service.careTeam(caller, params.patientId),
      }),
      'PUT /patients/{patientId}/care-team/{userId}': route<In<typeof CareTeamParams>, undefined, In<typeof PutCareTeamMemberBody>>({
        handle: ({ caller, write, params, body }) =>
          service.putCareTeamMember(caller, write, params.patientId, params.userId, body.relationship),
      }),
      'DELETE /patients/{patientId}/care-team/{userId}': route<In<typeof CareTeamParams>>({
        handle: ({ caller, write, params }) => service.removeCareTeamMember(caller, write, params.patientId, params.userId),
      }),
    },
    deps,
  );
}
