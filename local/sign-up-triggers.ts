/**
 * The user pool's sign-up triggers as the local pool calls them: the same factories as the AWS
 * entries (lambdas/invitations/pre-sign-up.ts, post-confirmation.ts, token-claims.ts), with the
 * local table, clock and pool.
 */
import { createPostConfirmationHandler, createPreSignUpHandler, createTokenClaimsHandler } from '../lambdas/invitations/triggers.js';
import type { Clock } from '../lambdas/shared/clock.js';
import type { Db } from '../lambdas/shared/data/db.js';
import type { Logger } from '../lambdas/shared/logger.js';
import type { LocalPoolTriggers } from './cognito/index.js';

export function localSignUpTriggers(deps: {
  db: Db;
  clock: Clock;
  logger: (service: string) => Logger;
  /** The local pool's own API (AdminAddUserToGroup), as the AWS trigger calls Cognito's. */
  groups: (operation: string, input: Record<string, unknown>) => Promise<unknown>;
}): LocalPoolTriggers {
  const preSignUp = createPreSignUpHandler({ db: deps.db, clock: deps.clock, logger: deps.logger('preSignUp') });
  const postConfirmation = createPostConfirmationHandler({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger('postConfirmation'),
    groups: {
      addToGroup: async (UserPoolId, Username, GroupName) => void (await deps.groups('AdminAddUserToGroup', { UserPoolId, Username, GroupName })),
    },
  });
  const tokenClaims = createTokenClaimsHandler({ db: deps.db, logger: deps.logger('tokenClaims') });
  return { preSignUp, postConfirmation, preTokenGeneration: tokenClaims };
}
