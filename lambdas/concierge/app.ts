import { People } from '../shared/people/people.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { ConciergeRepository } from './repository.js';
import { CONCIERGE_ROUTES } from './routes.js';
import { ConciergeService } from './service.js';

export interface ConciergeDeps {
  db: Db;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The concierge function: each route of CONCIERGE_ROUTES is one line to a use case. */
export function createConciergeHandler(deps: ConciergeDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new ConciergeService(
    new ConciergeRepository(deps.db),
    new AccessPolicy(people, people),
    people,
    new OrgSettingsRepository(deps.db),
    deps.scheduler,
    deps.db,
    deps.logger,
  );
  return createApiHandler(
    CONCIERGE_ROUTES,
    {
      'POST /providers': ({ write, body, idempotency }) => service.createProvider(write, body, idempotency),
      'GET /providers': ({ caller, query }) => service.listProviders(caller, query),
      'GET /providers/{providerId}': ({ caller, params }) => service.getProvider(caller, params.providerId),
      'PATCH /providers/{providerId}': ({ caller, write, params, body }) => service.updateProvider(caller, write, params.providerId, body),
      'GET /providers/{providerId}/slots': ({ caller, write, params, query }) => service.slots(caller, write, params.providerId, query),
      'GET /providers/{providerId}/appointments': ({ caller, write, params, query }) =>
        service.listProviderAppointments(caller, write, params.providerId, query),
      'POST /patients/{patientId}/appointments': ({ caller, write, params, body, idempotency }) =>
        service.book(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/appointments': ({ caller, write, params, query }) =>
        service.listPatientAppointments(caller, write, params.patientId, query),
      'GET /patients/{patientId}/appointments/{appointmentId}': ({ caller, params }) => service.getAppointment(caller, params.patientId, params.appointmentId),
      'POST /patients/{patientId}/appointments/{appointmentId}/cancel': ({ caller, write, params, body }) => service.cancel(caller, write, params.patientId, params.appointmentId, body.reason),
      'POST /patients/{patientId}/appointments/{appointmentId}/reschedule': ({ caller, write, params, body }) => service.reschedule(caller, write, params.patientId, params.appointmentId, body),
      'POST /patients/{patientId}/appointments/{appointmentId}/check-in': ({ caller, write, params }) => service.checkIn(caller, write, params.patientId, params.appointmentId),
      'POST /patients/{patientId}/appointments/{appointmentId}/complete': ({ caller, write, params, body }) => service.complete(caller, write, params.patientId, params.appointmentId, body.summary),
      'POST /patients/{patientId}/appointments/{appointmentId}/no-show': ({ caller, write, params }) => service.noShow(caller, write, params.patientId, params.appointmentId),
      'POST /patients/{patientId}/lab-results': ({ caller, write, params, body, idempotency }) =>
        service.createLabResult(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/lab-results': ({ caller, write, params, query }) => service.listLabResults(caller, write, params.patientId, query),
      'POST /patients/{patientId}/lab-results/{labResultId}/finalize': ({ caller, write, params }) => service.finalize(caller, write, params.patientId, params.labResultId),
      'POST /patients/{patientId}/lab-results/{labResultId}/correct': ({ caller, write, params, body, idempotency }) =>
        service.correct(caller, write, params.patientId, params.labResultId, body, idempotency),
      'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge': ({ caller, write, params }) => service.acknowledge(caller, write, params.patientId, params.labResultId),
      'POST /patients/{patientId}/treatment-plans': ({ caller, write, params, body, idempotency }) =>
        service.createPlan(caller, write, params.patientId, body, idempotency),
      'PATCH /patients/{patientId}/treatment-plans/{planId}': ({ caller, write, params, body }) =>
        service.updatePlan(caller, write, params.patientId, params.planId, body),
      'GET /patients/{patientId}/treatment-plans': ({ caller, params, query }) => service.listPlans(caller, params.patientId, query),
    },
    deps,
  );
}
