import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { s3Client } from '../shared/aws/clients.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createAuditHandler } from './app.js';
import { S3AuditJournal, S3AuditSink } from './s3-sink.js';

// Namespace and service as the dashboard reads them (lib/constructs/operations-dashboard.ts, AUDIT_METRICS).
const metrics = new Metrics({ namespace: 'CareStack', serviceName: 'audit' });

export const handler = createAuditHandler({
  sink: new S3AuditSink(s3Client(), requireEnv(ENV.auditBucketName)),
  journal: new S3AuditJournal(s3Client(), requireEnv(ENV.auditJournalBucketName)),
  logger: createLogger('audit'),
  onBatchStored: ({ records, objects }) => {
    metrics.addMetric('AuditRecords', MetricUnit.Count, records);
    metrics.addMetric('AuditObjects', MetricUnit.Count, objects);
    metrics.publishStoredMetrics();
  },
});
