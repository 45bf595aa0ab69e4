import { S3Client } from '@aws-sdk/client-s3';
import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createMessagingHandler } from './app.js';
import { S3AttachmentStore } from './s3-attachment-store.js';

/**
 * AWS entry: dependencies from the environment the CDK app sets. The S3 client is this function's
 * own (built once, at module scope): presigned URLs must not carry SDK flexible checksums, which
 * the shared client adds to every PutObject.
 */
const presigningS3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });

export const handler = createMessagingHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  attachments: new S3AttachmentStore(presigningS3, requireEnv(ENV.attachmentsBucketName)),
  clock: systemClock,
  logger: createLogger('messaging'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
