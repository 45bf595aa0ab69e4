import type { AuditQuery } from '../shared/audit/query-engine.js';

export interface AccessReportQuery {
  orgId: string;
  patientId: string;
  reportId: string;
  /** ISO 8601 UTC (`toISOString`), inclusive. */
  from: string;
  /** ISO 8601 UTC, exclusive. */
  to: string;
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * Everything recorded about the patient in the window, oldest first, as SQL both Athena and the
 * local DuckDB run: the org's partition (Athena requires it), the days of the window (`dt` is the
 * UTC day of `at`, so only those objects are scanned), the patient, the exact window on `at` (ISO
 * strings in UTC sort as time), and not the access reports themselves, so asking twice for the
 * same window gives the same rows. `event_id` breaks ties of `at`, so the order is total.
 */
export function accessReportQuery(q: AccessReportQuery): AuditQuery {
  const sql = [
    `SELECT "at", actor_id, array_join(actor_roles, ',') AS actor_roles, action, entity_type, entity_id, event_id`,
    `FROM audit_events`,
    `WHERE org = ${sqlString(q.orgId)}`,
    `AND dt BETWEEN ${sqlString(q.from.slice(0, 10))} AND ${sqlString(q.to.slice(0, 10))}`,
    `AND patient_id = ${sqlString(q.patientId)}`,
    `AND "at" >= ${sqlString(q.from)} AND "at" < ${sqlString(q.to)}`,
    `AND entity_type <> 'AccessReport'`,
    `ORDER BY "at", event_id`,
  ].join('\n');
  return { sql, orgId: q.orgId, name: `access-reports/${q.reportId}` };
}
