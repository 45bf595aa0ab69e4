import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { parseGroups } from '../shared/auth/caller.js';
import type { Clock } from '../shared/clock.js';
import { recordAccess } from '../shared/data/access-record.js';
import { readLoginLink } from '../shared/data/login-link.js';
import type { Db } from '../shared/data/db.js';
import { UserKeys } from '../shared/data/keys.js';
import type { Logger } from '../shared/logger.js';

export interface SignInAuditDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/**
 * Cognito post-authentication trigger: every sign-in becomes an access record, which the stream
 * carries to the audit trail as `sign_in`. A user without an org (none should exist) is still let
 * in; any other failure fails the sign-in, as Cognito does when a trigger throws: no unaudited sign-in.
 */
export function createSignInAuditHandler(deps: SignInAuditDeps) {
  return async (event: PostAuthenticationTriggerEvent): Promise<PostAuthenticationTriggerEvent> => {
    const attrs = event.request.userAttributes;
    const userId = attrs.sub ?? event.userName;
    // Invited logins have no org attribute (it is immutable and set only at creation): their link has it.
    const orgId = attrs['custom:orgId'] ?? (await readLoginLink(deps.db, userId))?.orgId;
    if (!orgId) {
      deps.logger.warn('sign-in without an org', { userId });
      return event;
    }
    // The trigger event carries no groups: the profile item holds the user's role.
    const profile = await deps.db.get(UserKeys.key(orgId, userId));
    await recordAccess(
      deps.db,
      {
        orgId,
        actorId: userId,
        actorRoles: parseGroups(typeof profile?.role === 'string' && profile.role ? [profile.role] : []),
        requestId: event.callerContext?.clientId ? `cognito:${event.callerContext.clientId}:${deps.clock.now().getTime()}` : 'cognito',
        source: 'api',
        now: deps.clock.now().toISOString(),
      },
      { action: 'sign_in', entityType: 'User', entityId: userId },
    );
    deps.logger.info('sign-in recorded', { userId, orgId });
    return event;
  };
}
