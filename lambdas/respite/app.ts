import { People } from '../shared/people/people.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { CaregiverRepository } from './caregivers/repository.js';
import { CaregiverService } from './caregivers/service.js';
import { SessionNotices } from './notices.js';
import { OfferRepository } from './offers/repository.js';
import { OfferService } from './offers/service.js';
import { RESPITE_ROUTES } from './routes.js';
import { SessionRepository } from './sessions/repository.js';
import { SessionService } from './sessions/service.js';

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
  const policy = new AccessPolicy(people, people);
  const settings = new OrgSettingsRepository(deps.db);
  const sessionRepo = new SessionRepository(deps.db);
  const notices = new SessionNotices(deps.scheduler, deps.logger);
  // One service per aggregate: caregivers and their budgets, sessions, offers.
  const caregivers = new CaregiverService(new CaregiverRepository(deps.db), policy, settings);
  const sessions = new SessionService(sessionRepo, policy, people, settings, notices);
  const offers = new OfferService(new OfferRepository(deps.db), sessionRepo, policy, people, settings, deps.scheduler, notices, deps.logger);
  return createApiHandler(
    RESPITE_ROUTES,
    {
      'PUT /me/caregiver-profile': ({ write, body }) => caregivers.putCaregiverProfile(write, body),
      'GET /caregivers/{userId}/profile': ({ caller, params }) => caregivers.getCaregiverProfile(caller, params.userId),
      'PUT /patients/{patientId}/respite-budget': ({ caller, write, params, body }) => caregivers.putBudget(caller, write, params.patientId, body),
      'GET /patients/{patientId}/respite-budget': ({ caller, write, params, query }) =>
        caregivers.getBudget(caller, params.patientId, query.year, new Date(write.now)),
      'POST /patients/{patientId}/respite-sessions': ({ caller, write, params, body, idempotency }) =>
        sessions.requestSession(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/respite-sessions': ({ caller, params, query }) => sessions.listForPatient(caller, params.patientId, query),
      'GET /patients/{patientId}/respite-sessions/{sessionId}': ({ caller, params }) => sessions.getSession(caller, params.patientId, params.sessionId),
      'GET /respite-sessions': ({ caller, query }) => sessions.listQueue(caller, query),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers': ({ caller, write, params, body }) => offers.makeOffer(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/accept': ({ caller, write, params }) =>
        offers.acceptOffer(caller, write, params.patientId, params.sessionId, params.offerId),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/decline': ({ caller, write, params, body }) =>
        offers.declineOffer(caller, write, params.patientId, params.sessionId, params.offerId, body.reason),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/check-in': ({ caller, write, params, body }) => sessions.checkIn(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/check-out': ({ caller, write, params, body }) => sessions.checkOut(caller, write, params.patientId, params.sessionId, body),
      'POST /patients/{patientId}/respite-sessions/{sessionId}/cancel': ({ caller, write, params, body }) => sessions.cancel(caller, write, params.patientId, params.sessionId, body.reason),
      'GET /patients/{patientId}/respite-sessions/{sessionId}/evv': ({ caller, write, params }) =>
        sessions.evv(caller, write, params.patientId, params.sessionId),
      'GET /me/assignments': ({ caller, write, query }) => offers.assignments(caller, query, new Date(write.now)),
    },
    deps,
  );
}
