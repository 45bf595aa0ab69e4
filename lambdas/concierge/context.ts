/**
 * What the concierge's four aggregates (providers and slots, appointments, lab results, treatment
 * plans) are built from. `app.ts` builds one `ConciergeContext` per function; each aggregate's
 * `handlers.ts` builds its own repository and service from it and answers its own routes, so the
 * aggregates share no state and a route needs only its aggregate's module (docs/decisions.md, "A domain of several aggregates").
 */
import type { User } from '../../schemas/identity.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Db } from '../shared/data/db.js';
import type { RouteHandlers } from '../shared/http/route-def.js';
import type { CONCIERGE_ROUTES } from './routes.js';
import type { Schedules } from './schedules.js';

/** What the concierge needs of identity: users (a provider's profile, a care-team entry). */
export interface People {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean>;
}

/** The org's escalation delay (OrgSettingsRepository). */
export interface EscalationSettings {
  settings(orgId: string): Promise<{ criticalEscalationMinutes: number }>;
}

export type PageRequest = { limit: number; cursor?: string | undefined };

export interface ConciergeContext {
  db: Db;
  policy: AccessPolicy;
  people: People;
  org: EscalationSettings;
  schedules: Schedules;
}

/** One handler per concierge route (RouteHandlers of CONCIERGE_ROUTES). */
export type ConciergeHandlers = RouteHandlers<(typeof CONCIERGE_ROUTES)['decls']>;

/**
 * An aggregate's share of the concierge's handlers, keys inferred from the literal: `app.ts` joins
 * the four shares, and `createApiHandler` (typed by RouteHandlers) refuses a route none answers.
 */
export const routeHandlers = <K extends keyof ConciergeHandlers>(handlers: Pick<ConciergeHandlers, K>): Pick<ConciergeHandlers, K> => handlers;
