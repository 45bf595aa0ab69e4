import type { AuditQueryEngine } from '../shared/audit/query-engine.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { AccessReportRepository } from './repository.js';
import { ACCESS_REPORT_ROUTES } from './routes.js';
import { AccessReportService } from './service.js';

export interface AccessReportsDeps {
  db: Db;
  /** Athena on AWS, DuckDB over the local audit store locally. */
  auditEngine: AuditQueryEngine;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The access-reports function: patient access reports from the audit trail. */
export function createAccessReportsHandler(deps: AccessReportsDeps): ApiHandler {
  const service = new AccessReportService(new AccessReportRepository(deps.db), deps.auditEngine);
  return createApiHandler(
    ACCESS_REPORT_ROUTES,
    {
      'POST /patients/{patientId}/access-reports': ({ caller, write, params, body, idempotency }) =>
        service.start(caller, write, params.patientId, body, idempotency),
      'GET /patients/{patientId}/access-reports/{reportId}': ({ caller, write, params }) => service.get(caller, write, params.patientId, params.reportId),
    },
    deps,
  );
}
