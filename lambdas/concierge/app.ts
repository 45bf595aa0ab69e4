import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { OrgSettingsRepository } from '../shared/people/org-settings.js';
import { People } from '../shared/people/people.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { appointmentHandlers } from './appointments/handlers.js';
import type { ConciergeContext } from './context.js';
import { labResultHandlers } from './lab-results/handlers.js';
import { providerHandlers } from './providers/handlers.js';
import { CONCIERGE_ROUTES } from './routes.js';
import { treatmentPlanHandlers } from './treatment-plans/handlers.js';

export interface ConciergeDeps {
  db: Db;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/**
 * The concierge function: each aggregate (providers and slots, appointments, lab results, treatment
 * plans) answers its own routes from the one context built here (docs/decisions.md, "A domain of several aggregates").
 */
export function createConciergeHandler(deps: ConciergeDeps): ApiHandler {
  const people = new People(deps.db);
  const ctx: ConciergeContext = {
    db: deps.db,
    policy: new AccessPolicy(people, people),
    people,
    org: new OrgSettingsRepository(deps.db),
    scheduler: deps.scheduler,
    logger: deps.logger,
  };
  return createApiHandler(
    CONCIERGE_ROUTES,
    { ...providerHandlers(ctx), ...appointmentHandlers(ctx), ...labResultHandlers(ctx), ...treatmentPlanHandlers(ctx) },
    deps,
  );
}
