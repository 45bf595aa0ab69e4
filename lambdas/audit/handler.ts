import { s3Client } from '../shared/aws/clients.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createAuditHandler } from './app.js';
import { S3AuditJournal, S3AuditSink } from './s3-sink.js';

export const handler = createAuditHandler({
  sink: new S3AuditSink(s3Client(), requireEnv(ENV.auditBucketName)),
  journal: new S3AuditJournal(s3Client(), requireEnv(ENV.auditJournalBucketName)),
  logger: createLogger('audit'),
});
