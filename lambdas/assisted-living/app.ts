import { People } from '../shared/people/people.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { AssistedLivingRepository } from './repository.js';
import { ASSISTED_LIVING_ROUTES } from './routes.js';
import { AssistedLivingService } from './service.js';

export interface AssistedLivingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The assisted-living function: incidents and the resident dashboard. */
export function createAssistedLivingHandler(deps: AssistedLivingDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new AssistedLivingService(new AssistedLivingRepository(deps.db), new AccessPolicy(people, people), deps.clock, deps.db);

  return createApiHandler(
    ASSISTED_LIVING_ROUTES,
    {
      'POST /patients/{patientId}/incidents': ({ caller, write, params, body, idempotency }) =>
        service.report(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/incidents': ({ caller, write, params, query }) => service.listForPatient(caller, write, params.patientId, query),
      'GET /incidents': ({ caller, write, query }) => service.listForOrg(caller, write, query),
      'PATCH /patients/{patientId}/incidents/{incidentId}': ({ caller, write, params, body }) =>
        service.update(caller, write, params.patientId, params.incidentId, body),
      'GET /patients/{patientId}/dashboard': ({ caller, params }) => service.dashboard(caller, params.patientId),
    },
    deps,
  );
}
