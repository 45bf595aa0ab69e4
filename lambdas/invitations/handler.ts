import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createInvitationsHandler } from './app.js';

/**
 * AWS entry: dependencies from the environment the CDK app sets. With the operator's email sender
 * configured, the invitee gets the code by email, sent by the delivery function (this function
 * only writes the request); without one, staff pass on the code the API answers.
 */
export const handler = createInvitationsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  invitationEmails: process.env[ENV.invitationEmails] === 'true',
  clock: systemClock,
  logger: createLogger('invitations'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
