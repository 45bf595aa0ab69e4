import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { NOTIFICATION_RULES } from '../platform-registry.js';
import { createNotificationsBusHandler } from '../notifications/fan-out.js';

/**
 * AWS entry of `notificationsFanOut`, a platform function: the bus rule's notifying events -> inbox
 * items, by every domain's notification rules (lambdas/platform-registry.ts). The inbox itself is the
 * notifications domain's (its repository and fan-out logic).
 */
export const handler = createNotificationsBusHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('notificationsFanOut'),
  rules: NOTIFICATION_RULES,
});
