import { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createMessagingRetentionHandler } from './retention.js';
import { S3AttachmentDeleter } from './s3-attachment-deleter.js';

/** AWS entry of the messaging retention consumer (lambdas/messaging/retention.ts). */
export const handler = createMessagingRetentionHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  files: new S3AttachmentDeleter(new S3Client({}), requireEnv(ENV.attachmentsBucketName)),
  clock: systemClock,
  logger: createLogger('messagingRetention'),
});
