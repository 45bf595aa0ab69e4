import { dynamoClient } from '../shared/aws/clients.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createTokenClaimsHandler } from './triggers.js';

/** AWS entry of the pre-token-generation trigger (event version V2_0). */
export const handler = createTokenClaimsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  logger: createLogger('tokenClaims'),
});
