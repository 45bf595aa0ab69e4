import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { People } from '../shared/people/people.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { HomeHealthRepository } from './repository.js';
import { HOME_HEALTH_ROUTES } from './routes.js';
import { HomeHealthService } from './service.js';
import { VisitSchedules } from './visit-work.js';

export interface HomeHealthDeps {
  db: Db;
  /** Sets and removes each assigned visit's late and missed checks. */
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The home-health function: aides, visits with EVV, routes, supplies, service logs. */
export function createHomeHealthHandler(deps: HomeHealthDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new HomeHealthService(
    new HomeHealthRepository(deps.db),
    new AccessPolicy(people, people),
    { getUser: (org, id) => people.getUser(org, id), getPatient: (org, id) => people.getPatient(org, id, true) },
    new OrgSettingsRepository(deps.db),
    new VisitSchedules(deps.scheduler, deps.logger),
    deps.db,
  );
  return createApiHandler(
    HOME_HEALTH_ROUTES,
    {
      'PUT /aides/{userId}': ({ write, params, body }) => service.putAide(write, params.userId, body),
      'GET /aides': ({ caller, query }) => service.listAides(caller, query),
      'PATCH /me/availability': ({ write, body }) => service.setMyAvailability(write, body),
      'POST /patients/{patientId}/visits': ({ caller, write, params, body, idempotency }) =>
        service.createVisit(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/visits': ({ caller, params, query }) => service.listPatientVisits(caller, params.patientId, query),
      'GET /visits': ({ caller, query }) => service.listDayVisits(caller, query),
      'GET /patients/{patientId}/visits/{visitId}/suggested-aides': ({ caller, params }) => service.suggestAides(caller, params.patientId, params.visitId),
      'POST /patients/{patientId}/visits/{visitId}/assign': ({ caller, write, params, body }) =>
        service.assign(caller, write, params.patientId, params.visitId, body.aideId),
      'POST /patients/{patientId}/visits/{visitId}/check-in': ({ caller, write, params, body }) =>
        service.checkIn(caller, write, params.patientId, params.visitId, body),
      'POST /patients/{patientId}/visits/{visitId}/check-out': ({ caller, write, params, body }) =>
        service.checkOut(caller, write, params.patientId, params.visitId, body),
      'POST /patients/{patientId}/visits/{visitId}/cancel': ({ caller, write, params, body }) =>
        service.cancel(caller, write, params.patientId, params.visitId, body.reason),
      'GET /patients/{patientId}/visits/{visitId}/evv': ({ caller, write, params }) => service.evv(caller, write, params.patientId, params.visitId),
      'PATCH /patients/{patientId}/visits/{visitId}/evv': ({ caller, write, params, body }) =>
        service.maintainEvv(caller, write, params.patientId, params.visitId, body),
      'GET /evv': ({ caller, write, query }) => service.exportEvv(caller, write, query),
      'GET /me/route': ({ write, query }) => service.myRoute(write, query.date),
      'POST /supplies': ({ write, body, idempotency }) => service.createSupply(write, body, idempotency),
      'GET /supplies': ({ caller, query }) => service.listSupplies(caller, query),
      'POST /supplies/{supplyId}/adjust': ({ write, params, body, idempotency }) => service.adjustSupply(write, params.supplyId, body, idempotency),
      'POST /patients/{patientId}/visits/{visitId}/supplies': ({ caller, write, params, body, idempotency }) =>
        service.useSupply(caller, write, params.patientId, params.visitId, body, idempotency),
      'GET /patients/{patientId}/visits/{visitId}/supplies': ({ caller, params, query }) =>
        service.listVisitSupplies(caller, params.patientId, params.visitId, query),
      'POST /patients/{patientId}/visits/{visitId}/logs': ({ caller, write, params, body, idempotency }) =>
        service.addLog(caller, write, params.patientId, params.visitId, body, idempotency),
      'GET /patients/{patientId}/visits/{visitId}/logs': ({ caller, params, query }) => service.listLogs(caller, params.patientId, params.visitId, query),
    },
    deps,
  );
}
