import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { People } from '../shared/people/people.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { AideRepository } from './aide-repository.js';
import { AideService } from './aide-service.js';
import { HOME_HEALTH_ROUTES } from './routes.js';
import { ServiceLogRepository } from './service-log-repository.js';
import { ServiceLogService } from './service-log-service.js';
import { SupplyRepository } from './supply-repository.js';
import { SupplyService } from './supply-service.js';
import { VisitRepository } from './visit-repository.js';
import { VisitService } from './visit-service.js';
import { VisitSchedules } from './visit-work.js';

export interface HomeHealthDeps {
  db: Db;
  /** Sets and removes each assigned visit's late and missed checks. */
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/**
 * The home-health function: one service and one repository per aggregate (aides; visits with EVV
 * and the aide's route; supplies; service logs). Supplies and service logs ask the visit service
 * whether the caller may write on a visit.
 */
export function createHomeHealthHandler(deps: HomeHealthDeps): ApiHandler {
  const people = new People(deps.db);
  const settings = new OrgSettingsRepository(deps.db);
  const aideRepository = new AideRepository(deps.db);
  const aides = new AideService(aideRepository, people);
  const visits = new VisitService(
    new VisitRepository(deps.db),
    aideRepository,
    new AccessPolicy(people, people),
    { getUser: (org, id) => people.getUser(org, id), getPatient: (org, id) => people.getPatient(org, id, true) },
    settings,
    new VisitSchedules(deps.scheduler, deps.logger),
  );
  const supplies = new SupplyService(new SupplyRepository(deps.db), visits);
  const logs = new ServiceLogService(new ServiceLogRepository(deps.db), visits);
  return createApiHandler(
    HOME_HEALTH_ROUTES,
    {
      'PUT /aides/{userId}': ({ write, params, body }) => aides.putAide(write, params.userId, body),
      'GET /aides': ({ caller, query }) => aides.listAides(caller, query),
      'PATCH /me/availability': ({ write, body }) => aides.setMyAvailability(write, body),
      'POST /patients/{patientId}/visits': ({ caller, write, params, body, idempotency }) =>
        visits.createVisit(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/visits': ({ caller, params, query }) => visits.listPatientVisits(caller, params.patientId, query),
      'GET /visits': ({ caller, query }) => visits.listDayVisits(caller, query),
      'GET /patients/{patientId}/visits/{visitId}/suggested-aides': ({ caller, params }) => visits.suggestAides(caller, params.patientId, params.visitId),
      'POST /patients/{patientId}/visits/{visitId}/assign': ({ caller, write, params, body }) =>
        visits.assign(caller, write, params.patientId, params.visitId, body.aideId),
      'POST /patients/{patientId}/visits/{visitId}/check-in': ({ caller, write, params, body }) =>
        visits.checkIn(caller, write, params.patientId, params.visitId, body),
      'POST /patients/{patientId}/visits/{visitId}/check-out': ({ caller, write, params, body }) =>
        visits.checkOut(caller, write, params.patientId, params.visitId, body),
      'POST /patients/{patientId}/visits/{visitId}/cancel': ({ caller, write, params, body }) =>
        visits.cancel(caller, write, params.patientId, params.visitId, body.reason),
      'GET /patients/{patientId}/visits/{visitId}/evv': ({ caller, write, params }) => visits.evv(caller, write, params.patientId, params.visitId),
      'PATCH /patients/{patientId}/visits/{visitId}/evv': ({ caller, write, params, body }) =>
        visits.maintainEvv(caller, write, params.patientId, params.visitId, body),
      'GET /evv': ({ caller, write, query }) => visits.exportEvv(caller, write, query),
      'GET /me/route': ({ write, query }) => visits.myRoute(write, query.date),
      'POST /supplies': ({ write, body, idempotency }) => supplies.createSupply(write, body, idempotency),
      'GET /supplies': ({ caller, query }) => supplies.listSupplies(caller, query),
      'POST /supplies/{supplyId}/adjust': ({ write, params, body, idempotency }) => supplies.adjustSupply(write, params.supplyId, body, idempotency),
      'POST /patients/{patientId}/visits/{visitId}/supplies': ({ caller, write, params, body, idempotency }) =>
        supplies.useSupply(caller, write, params.patientId, params.visitId, body, idempotency),
      'GET /patients/{patientId}/visits/{visitId}/supplies': ({ caller, params, query }) =>
        supplies.listVisitSupplies(caller, params.patientId, params.visitId, query),
      'POST /patients/{patientId}/visits/{visitId}/logs': ({ caller, write, params, body, idempotency }) =>
        logs.addLog(caller, write, params.patientId, params.visitId, body, idempotency),
      'GET /patients/{patientId}/visits/{visitId}/logs': ({ caller, params, query }) => logs.listLogs(caller, params.patientId, params.visitId, query),
    },
    deps,
  );
}
