import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createMessagingHandler } from './app.js';
import { S3AttachmentStore } from './s3-attachment-store.js';

/**
 * AWS entry: dependencies from the environment the CDK app sets. Attachments are reached with
 * signed requests (no S3 client: issue 25, lambdas/shared/aws/signed-request.ts), with the role's
 * credentials and region Lambda puts in the environment, and the SDK's own endpoint override if one is set.
 */
export const handler = createMessagingHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  attachments: new S3AttachmentStore({ bucketName: requireEnv(ENV.attachmentsBucketName) }),
  clock: systemClock,
  logger: createLogger('messaging'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
