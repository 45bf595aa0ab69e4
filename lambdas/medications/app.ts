import { People } from '../shared/people/people.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { MedicationRepository } from './repository.js';
import { MEDICATION_ROUTES } from './routes.js';
import { MedicationService } from './service.js';

export interface MedicationsDeps {
  db: Db;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The medications function: each route of MEDICATION_ROUTES is one line to a use case. */
export function createMedicationsHandler(deps: MedicationsDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new MedicationService(
    new MedicationRepository(deps.db),
    new AccessPolicy(people, people),
    { patientTimezone: async (orgId, patientId) => (await people.getPatient(orgId, patientId))?.timezone },
    deps.scheduler,
    deps.logger,
  );
  return createApiHandler(
    MEDICATION_ROUTES,
    {
      'POST /patients/{patientId}/medications': ({ caller, write, params, body, idempotency }) =>
        service.createMedication(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/medications': ({ caller, params, query }) => service.listMedications(caller, params.patientId, query),
      'PATCH /patients/{patientId}/medications/{medicationId}': ({ caller, write, params, body }) =>
        service.updateMedication(caller, write, params.patientId, params.medicationId, body),
      'GET /patients/{patientId}/doses': ({ caller, write, params, query }) => service.listDoses(caller, params.patientId, query, write.now),
      'POST /patients/{patientId}/doses': ({ caller, write, params, body, idempotency }) =>
        service.logAsNeeded(caller, write, params.patientId, body, idempotency),
      'POST /patients/{patientId}/doses/{doseId}/confirm': ({ caller, write, params, body }) =>
        service.confirmDose(caller, write, params.patientId, params.doseId, body),
      'GET /patients/{patientId}/alerts': ({ caller, params, query }) => service.listAlerts(caller, params.patientId, query),
      'GET /patients/{patientId}/adherence': ({ caller, write, params, query }) => service.adherence(caller, params.patientId, query, write.now),
    },
    deps,
  );
}
