import { SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createInvitationsHandler } from './app.js';
import type { InvitationMailer } from './mailer.js';
import { SesInvitationMailer } from './ses-mailer.js';

const logger = createLogger('invitations');
const emailFrom = process.env[ENV.emailFrom];

// With the operator's SES sender, the invitee gets the code by email; without one, staff pass on
// the code the API answers.
const mailer: InvitationMailer = emailFrom
  ? new SesInvitationMailer(new SESv2Client({}), emailFrom)
  : { send: async (email) => logger.info('invitation created; no email sender configured', { invitationId: email.invitationId }) };

/** AWS entry: dependencies from the environment the CDK app sets. */
export const handler = createInvitationsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  mailer,
  clock: systemClock,
  logger,
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
