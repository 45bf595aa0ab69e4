import { dynamoClient } from '../shared/aws/clients.js';
import { CognitoAdminApi } from '../shared/aws/cognito-admin.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createPostConfirmationHandler } from './triggers.js';

const cognito = new CognitoAdminApi();

/** AWS entry of the post-confirmation trigger (Cognito by signed requests, as the identity function). */
export const handler = createPostConfirmationHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('postConfirmation'),
  groups: {
    addToGroup: async (UserPoolId, Username, GroupName) => {
      await cognito.call('AdminAddUserToGroup', { UserPoolId, Username, GroupName });
    },
  },
});
