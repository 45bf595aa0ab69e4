import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
// The one import of the derived registries from a domain (test/unit/lambdas/shared/domain-boundaries.test.ts
// names it): the export reads every domain's FHIR mapping from the light facets, so its bundle
// carries no other domain's routes, app, jobs or repositories (test/infra/bundling.test.ts).
import { FHIR_MAPPINGS } from '../platform-registry.js';
import { createRecordsHandler } from './app.js';

/** AWS entry: dependencies from the environment the CDK app sets. */
export const handler = createRecordsHandler({
  db: new Db(dynamoClient(), requireEnv(ENV.tableName)),
  clock: systemClock,
  logger: createLogger('records'),
  fhir: FHIR_MAPPINGS,
  corsAllowOrigins: (process.env.CORS_ALLOW_ORIGINS ?? '').split(',').filter(Boolean),
});
