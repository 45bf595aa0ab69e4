import { AdminAddUserToGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { cognitoClient, dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createPostConfirmationHandler } from './triggers.js';

/** AWS entry of the post-confirmation trigger. */
export const handler = createPostConfirmationHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('postConfirmation'),
  groups: {
    addToGroup: async (UserPoolId, Username, GroupName) => {
      await cognitoClient().send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
    },
  },
});
