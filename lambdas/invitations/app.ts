import { People } from '../shared/people/people.js';
import { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { InvitationRepository } from './repository.js';
import { INVITATION_ROUTES } from './routes.js';
import { InvitationService } from './service.js';

export interface InvitationsDeps {
  db: Db;
  /**
   * Whether invitations are emailed: on AWS when the operator configured a sender, locally always
   * (the local delivery function writes to the outbox). @default false
   */
  invitationEmails?: boolean;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The invitations function: each route a line from validated input to a use case. */
export function createInvitationsHandler(deps: InvitationsDeps): ApiHandler {
  const people = new People(deps.db);
  const service = new InvitationService(new InvitationRepository(deps.db), new AccessPolicy(people, people), people, deps.invitationEmails ?? false);
  return createApiHandler(
    INVITATION_ROUTES,
    {
      'POST /invitations': ({ caller, write, body }) => service.create(caller, write, body),
      'GET /invitations': ({ caller, write, query: { status, ...page } }) => service.list(caller, write.now, status, page),
      'DELETE /invitations/{invitationId}': ({ caller, write, params }) => service.revoke(caller, write, params.invitationId),
    },
    deps,
  );
}
