import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { IdentityRepository } from './repository.js';
import { IDENTITY_ROUTES } from './routes.js';
import { IdentityService } from './service.js';
import type { UserDirectory } from './user-directory.js';

export interface IdentityDeps {
  db: Db;
  directory: UserDirectory;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/**
 * The identity/patients function: each route of IDENTITY_ROUTES (which holds its schemas and types
 * its input here) is a line from validated input to a use case.
 */
export function createIdentityHandler(deps: IdentityDeps): ApiHandler {
  const repo = new IdentityRepository(deps.db);
  const service = new IdentityService(repo, new AccessPolicy(repo, repo), deps.directory, deps.db);
  const settings = new OrgSettingsRepository(deps.db);

  return createApiHandler(
    IDENTITY_ROUTES,
    {
      'GET /health': async () => ({ status: 'ok' as const }),
      'GET /me': async ({ caller }) => service.me(caller),
      'POST /users': ({ write, body, idempotency }) => service.createUser(write, body, idempotency),
      'GET /users': ({ caller, query: { role, ...page } }) => service.listUsers(caller, role, page),
      'POST /patients': ({ write, body, idempotency }) => service.createPatient(write, body, idempotency),
      'GET /patients': ({ caller, query }) => service.listPatients(caller, query),
      'GET /patients/{patientId}': ({ caller, write, params }) => service.getPatient(caller, write, params.patientId),
      'PATCH /patients/{patientId}': ({ caller, write, params, body }) => service.updatePatient(caller, write, params.patientId, body),
      'GET /patients/{patientId}/care-team': ({ caller, params }) => service.careTeam(caller, params.patientId),
      'PUT /patients/{patientId}/care-team/{userId}': ({ caller, write, params, body }) =>
        service.putCareTeamMember(caller, write, params.patientId, params.userId, body.relationship),
      'DELETE /patients/{patientId}/care-team/{userId}': ({ caller, write, params }) =>
        service.removeCareTeamMember(caller, write, params.patientId, params.userId),
      'GET /org/settings': ({ caller }) => settings.settings(caller.orgId),
      'PATCH /org/settings': ({ write, body }) => settings.update(write, body),
    },
    deps,
  );
}
