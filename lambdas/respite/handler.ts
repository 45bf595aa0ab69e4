import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { schedulerFromEnvironment } from '../shared/scheduling/aws-scheduler.js';
import { createRespiteHandler } from './app.js';

/** AWS entry: dependencies from the environment the CDK app sets. */
export const handler = createRespiteHandler({
  db: new Db(new DynamoDBClient({}), requireEnv(ENV.tableName)),
  scheduler: schedulerFromEnvironment(),
  clock: systemClock,
  logger: createLogger('respite'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
