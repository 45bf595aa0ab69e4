import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createPreSignUpHandler } from './triggers.js';

/** AWS entry of the pre-sign-up trigger. */
export const handler = createPreSignUpHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('preSignUp'),
});
