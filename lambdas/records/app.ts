import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import type { FhirMappings } from '../shared/fhir/mapping.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { People } from '../shared/people/people.js';
import { RecordsRepository } from './repository.js';
import { RECORDS_ROUTES } from './routes.js';
import { RecordsService } from './service.js';

export interface RecordsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Every domain's FHIR mapping, derived from the domains (lambdas/registry.ts, FHIR_MAPPINGS). */
  fhir: FhirMappings;
  corsAllowOrigins?: readonly string[];
}

/** The records function: the patient's record out as FHIR R4. */
export function createRecordsHandler(deps: RecordsDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new RecordsService(new RecordsRepository(deps.db), new AccessPolicy(people, people), deps.fhir);
  return createApiHandler(
    RECORDS_ROUTES,
    {
      'GET /patients/{patientId}/fhir': ({ caller, write, params, query }) => service.exportPatient(caller, write, params.patientId, query),
    },
    deps,
  );
}
