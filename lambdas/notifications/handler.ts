import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createNotificationsHandler } from './app.js';

/**
 * AWS entry: the inbox routes, dependencies from the environment. The notification types come from
 * the environment too (the CDK app sets them from lambdas/registry.ts), so this function carries
 * no other domain's code.
 */
export const handler = createNotificationsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('notifications'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
  notificationTypes: new Set(requireEnv(ENV.notificationTypes).split(',')),
});
