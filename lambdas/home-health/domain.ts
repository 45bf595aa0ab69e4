import { defineDomain, job } from '../shared/domain/domain-module.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import { createHomeHealthHandler } from './app.js';
import { HOME_HEALTH_EVENT_RULES } from './events.js';
import { VisitRepository } from './visit-repository.js';
import { HOME_HEALTH_ROUTES } from './routes.js';
import { VisitLatePayload, VisitMissedPayload, VisitWork } from './visit-work.js';
import { HOME_HEALTH_FHIR } from './fhir.js';

const visits = (deps: ScheduledWorkDeps) => new VisitWork(new VisitRepository(deps.db), deps.clock, deps.logger);

/** Home health: aide profiles, the aide calendar, visits with EVV, routes, supplies, service logs. */
export const HOME_HEALTH_DOMAIN = defineDomain({
  id: 'homeHealth',
  description: 'Home health: aides, visits with EVV, day routes, supplies, service logs',
  entry: 'lambdas/home-health/handler.ts',
  app: 'lambdas/home-health/app.ts',
  routes: HOME_HEALTH_ROUTES,
  create: createHomeHealthHandler,
  events: HOME_HEALTH_EVENT_RULES,
  // API.md, "Aides, home visits and EVV": an assigned visit not checked in 15 minutes after its start
  // (coordinators); not checked in by its end, missed (coordinators and the assigned aide, the
  // event's recipient; urgent); a supply's stock crossing its reorder level downwards (coordinators).
  notifications: {
    VisitLate: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Visit late', body: 'An assigned home visit has not been checked in 15 minutes after its start.' }) },
      offApp: 'A visit is running late',
    },
    VisitMissed: {
      inbox: { recipients: 'coordinatorsAndEventRecipient', message: () => ({ title: 'Visit missed', body: 'A home visit was not checked in by its scheduled end and is marked missed.' }) },
      offApp: 'A visit needs your attention',
      urgent: true,
    },
    SupplyLow: {
      inbox: { recipients: 'coordinators', message: () => ({ title: 'Supply low', body: 'A supply item fell below its reorder level.' }) },
      offApp: 'A supply is running low',
    },
    VisitUpdated: { offApp: 'A visit was updated' },
  },
  jobs: {
    'visit-late': job(VisitLatePayload, (deps) => {
      const w = visits(deps);
      return (p) => w.onLate(p);
    }),
    'visit-missed': job(VisitMissedPayload, (deps) => {
      const w = visits(deps);
      return (p) => w.onMissed(p);
    }),
  },
  fhir: HOME_HEALTH_FHIR,
});
