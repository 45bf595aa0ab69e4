import { athenaClient, dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createAccessReportsHandler } from './app.js';
import { AthenaAuditEngine } from './athena-engine.js';

/** AWS entry: dependencies from the environment the CDK app sets. */
export const handler = createAccessReportsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  auditEngine: new AthenaAuditEngine(athenaClient(), {
    workGroup: requireEnv(ENV.auditWorkGroup),
    database: requireEnv(ENV.auditDatabase),
    resultsBucket: requireEnv(ENV.athenaResultsBucketName),
    resultsKeyArn: requireEnv(ENV.athenaResultsKeyArn),
  }),
  clock: systemClock,
  logger: createLogger('accessReports'),
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
