import { People } from '../shared/people/people.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { RespiteRepository } from './repository.js';
import { RESPITE_ROUTES } from './routes.js';
import { RespiteService } from './service.js';

export interface RespiteDeps {
  db: Db;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The respite function: each route of RESPITE_ROUTES is one line to a use case. */
export function createRespiteHandler(deps: RespiteDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new RespiteService(
    new RespiteRepository(deps.db),
    new AccessPolicy(people, people),
    people,
    new OrgSettingsRepository(deps.db),
    deps.scheduler,
    deps.logger,
  );
  return createApiHandler(
    RESPITE_ROUTES,
    {
      'PUT /me/caregiver-profile': ({ write, body }) => service.putCaregiverProfile(write, body),
      'GET /caregivers/{userId}/profile': ({ caller, params }) => service.getCaregiverProfile(caller, params.userId),
      'PUT /patients/{patientId}/respite-budget': ({ caller, write, params, body }) => service.putBudget(caller, write, params.patientId, body),
      'GET /patients/{patientId}/respite-budget': ({ caller, write, params, query }) =>
        service.getBudget(caller, params.patientId, query.year, new Date(write.now)),
      'POST /patients/{patientId}/respite-sessions': ({ caller, write, params, body, idempotency }) =>
        service.requestSession(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/respite-sessions': ({ caller, params, query }) => service.listForPatient(caller, params.patientId, query),
      'GET /patients/{patientId}/respite-sessions/{sessionId}': ({ caller, params }) => service.getSession(caller, params.patientId, params.sessionId),
      'GET /respite-sessions': ({ caller, query }) => service.listQueue(caller, query),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers': ({ caller, write, params, body }) => service.makeOffer(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/accept': ({ caller, write, params }) =>
        service.acceptOffer(caller, write, params.patientId, params.sessionId, params.offerId),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/decline': ({ caller, write, params, body }) =>
        service.declineOffer(caller, write, params.patientId, params.sessionId, params.offerId, body.reason),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/check-in': ({ caller, write, params, body }) => service.checkIn(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/check-out': ({ caller, write, params, body }) => service.checkOut(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/cancel': ({ caller, write, params, body }) => service.cancel(caller, write, params.patientId, params.sessionId, body.reason),
      'GET /patients/{patientId}/respite-sessions/{sessionId}/evv': ({ caller, write, params }) =>
        service.evv(caller, write, params.patientId, params.sessionId),
      'GET /me/assignments': ({ caller, write, query }) => service.assignments(caller, query, new Date(write.now)),
    },
    deps,
  );
}
