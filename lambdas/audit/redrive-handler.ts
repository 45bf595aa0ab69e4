import { dynamoStreamsClient, s3Client, sqsClient } from '../shared/aws/clients.js';
import { SqsFailureQueue } from '../shared/aws/sqs-failure-queue.js';
import { DynamoStreamRangeReader } from '../shared/aws/stream-range-reader.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { redriveFailures, type RedriveReport } from '../shared/streams/redrive.js';
import { createAuditHandler } from './app.js';
import { S3AuditJournal, S3AuditSink } from './s3-sink.js';

const logger = createLogger('audit-redrive');
// The audit function's own path, exactly once (docs/audit.md): same sink, same journal.
const audit = createAuditHandler({
  sink: new S3AuditSink(s3Client(), requireEnv(ENV.auditBucketName)),
  journal: new S3AuditJournal(s3Client(), requireEnv(ENV.auditJournalBucketName)),
  logger,
});

/**
 * Invoked by an operator (docs/operations.md, "Audit redrive"), with any payload: drains
 * StreamAuditFailures once and answers the report; a batch the stream no longer holds is in
 * `unreadable` with its sequence range, and its message stays in the queue.
 */
export const handler = async (): Promise<RedriveReport> =>
  redriveFailures({
    consumer: 'audit',
    queue: new SqsFailureQueue(sqsClient(), requireEnv(ENV.failureQueueUrl)),
    reader: new DynamoStreamRangeReader(dynamoStreamsClient(), requireEnv('AWS_REGION')),
    handler: audit,
    logger,
  });
