import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createInvitationsHandler } from './app.js';

const logger = createLogger('invitations');

/** AWS entry: dependencies from the environment the CDK app sets. */
export const handler = createInvitationsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  // Email delivery joins with the delivery function (SES); until then staff pass the code on.
  mailer: { send: async (email) => logger.info('invitation created; email delivery not wired on AWS yet', { invitationId: email.invitationId }) },
  clock: systemClock,
  logger,
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
