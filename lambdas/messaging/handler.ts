import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createMessagingHandler } from './app.js';
import type { AttachmentStore } from './attachment-store.js';

/**
 * AWS entry: dependencies from the environment the CDK app sets.
 *
 * Only the attachment routes touch S3, so the S3 client (the largest module of this bundle) is
 * loaded on the first call that needs it, not at cold start: `import()` of a bundled module is a
 * lazily run closure in the esbuild bundle. The client is this function's own: presigned URLs must
 * not carry SDK flexible checksums, which the SDK adds to every PutObject by default.
 */
const bucketName = requireEnv(ENV.attachmentsBucketName);
let store: Promise<AttachmentStore> | undefined;
const s3Store = (): Promise<AttachmentStore> =>
  (store ??= Promise.all([import('@aws-sdk/client-s3'), import('./s3-attachment-store.js')]).then(
    ([{ S3Client }, { S3AttachmentStore }]) =>
      new S3AttachmentStore(new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }), bucketName),
  ));
const attachments: AttachmentStore = {
  uploadUrl: async (request) => (await s3Store()).uploadUrl(request),
  downloadUrl: async (request) => (await s3Store()).downloadUrl(request),
  head: async (key) => (await s3Store()).head(key),
  copy: async (from, to) => (await s3Store()).copy(from, to),
};

export const handler = createMessagingHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  attachments,
  clock: systemClock,
  logger: createLogger('messaging'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
