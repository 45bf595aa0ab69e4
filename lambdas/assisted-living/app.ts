import type { z } from 'zod';
import type {
  CreateIncidentBody,
  IncidentListQuery,
  IncidentParams,
  PatientIncidentsParams,
  UpdateIncidentBody,
} from '../../schemas/assisted-living.js';
import { IdentityRepository } from '../identity/repository.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, route, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { AssistedLivingRepository } from './repository.js';
import { AssistedLivingService } from './service.js';

export interface AssistedLivingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

type In<T extends z.ZodType> = z.infer<T>;

/** The assisted-living function: incidents and the resident dashboard. */
export function createAssistedLivingHandler(deps: AssistedLivingDeps): ApiHandler {
  const people = new IdentityRepository(deps.db);
  const service = new AssistedLivingService(new AssistedLivingRepository(deps.db), new AccessPolicy(people, people), deps.clock, deps.db);

  return createApiHandler(
    'assistedLiving',
    {
      'POST /patients/{patientId}/incidents': route<In<typeof PatientIncidentsParams>, undefined, In<typeof CreateIncidentBody>>({
        handle: ({ caller, write, params, body, idempotency }) => service.report(caller, write, params.patientId, body, idempotency),
      }),
      'GET /patients/{patientId}/incidents': route<In<typeof PatientIncidentsParams>, In<typeof IncidentListQuery>>({
        handle: ({ caller, write, params, query }) => service.listForPatient(caller, write, params.patientId, query),
      }),
      'GET /incidents': route<undefined, In<typeof IncidentListQuery>>({
        handle: ({ caller, write, query }) => service.listForOrg(caller, write, query),
      }),
      'PATCH /patients/{patientId}/incidents/{incidentId}': route<In<typeof IncidentParams>, undefined, In<typeof UpdateIncidentBody>>({
        handle: ({ caller, write, params, body }) => service.update(caller, write, params.patientId, params.incidentId, body),
      }),
      'GET /patients/{patientId}/dashboard': route<In<typeof PatientIncidentsParams>>({
        handle: ({ caller, params }) => service.dashboard(caller, params.patientId),
      }),
    },
    deps,
  );
}
