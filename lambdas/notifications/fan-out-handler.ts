import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { NOTIFICATION_RULES } from '../registry.js';
import { createNotificationsBusHandler } from './app.js';

/** AWS entry of `notificationsFanOut`: the bus rule's notifying events -> inbox items. */
export const handler = createNotificationsBusHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('notificationsFanOut'),
  rules: NOTIFICATION_RULES,
});
