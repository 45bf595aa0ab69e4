import { dynamoClient } from '../shared/aws/clients.js';
import { CognitoAdminApi } from '../shared/aws/cognito-admin.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createIdentityHandler } from './app.js';
import { CognitoUserDirectory } from './user-directory.js';

/**
 * AWS entry: dependencies from the environment the CDK app sets. Cognito is reached with signed
 * requests (no Cognito client: issue 25), with the role's credentials and region from the environment.
 */
export const handler = createIdentityHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  directory: new CognitoUserDirectory(new CognitoAdminApi(), { userPoolId: requireEnv(ENV.userPoolId) }),
  clock: systemClock,
  logger: createLogger('identity'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
