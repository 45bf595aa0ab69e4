/**
 * What the concierge's four aggregates (providers and slots, appointments, lab results, treatment
 * plans) are built from. `app.ts` builds one `ConciergeContext` per function; each aggregate's
 * `handlers.ts` builds its own repository and service from it and answers its own routes, so the
 * aggregates share no state and a route needs only its aggregate's module (docs/decisions.md, "A domain of several aggregates").
 */
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Db } from '../shared/data/db.js';
import type { RouteHandlers } from '../shared/http/route-def.js';
import type { Logger } from '../shared/logger.js';
import type { People as PeopleReads } from '../shared/people/people.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import type { CONCIERGE_ROUTES } from './routes.js';

/** What the concierge reads of people: users (a provider's profile, a care-team entry) and care-team links. */
export type People = Pick<PeopleReads, 'getUser' | 'isCareTeamMember'>;

/** The org's escalation delay (OrgSettingsRepository). */
export interface EscalationSettings {
  settings(orgId: string): Promise<{ criticalEscalationMinutes: number }>;
}

export interface ConciergeContext {
  db: Db;
  policy: AccessPolicy;
  people: People;
  org: EscalationSettings;
  /** The one-time schedules of appointments and lab results (put all or none, delete by name: schedule-writes.ts). */
  scheduler: Scheduler;
  logger: Logger;
}

/** One handler per concierge route (RouteHandlers of CONCIERGE_ROUTES). */
export type ConciergeHandlers = RouteHandlers<(typeof CONCIERGE_ROUTES)['decls']>;

/**
 * An aggregate's share of the concierge's handlers, keys inferred from the literal: `app.ts` joins
 * the four shares, and `createApiHandler` (typed by RouteHandlers) refuses a route none answers.
 */
export const routeHandlers = <K extends keyof ConciergeHandlers>(handlers: Pick<ConciergeHandlers, K>): Pick<ConciergeHandlers, K> => handlers;
