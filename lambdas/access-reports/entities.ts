/**
 * The access-report items: the report and its row chunks (keys.ts). Only the access-report
 * repository imports this module.
 */
import type { AccessReportRow, AccessReportStatus } from '../../schemas/access-reports.js';
import { entity, pick } from '../shared/data/entity.js';
import { AccessReportKeys } from './keys.js';

/** A report as stored: who asked, the window, the Athena (or DuckDB) execution, where it stands. */
export interface StoredAccessReport {
  id: string;
  patientId: string;
  requestedBy: string;
  from: string;
  to: string;
  status: AccessReportStatus;
  executionId: string;
  requestedAt: string;
  version: number;
  completedAt?: string;
  reason?: string;
  rowCount?: number;
}

export const AccessReportEntity = entity(
  'AccessReport',
  { key: AccessReportKeys.key },
  pick<StoredAccessReport>(['id', 'patientId', 'requestedBy', 'from', 'to', 'status', 'executionId', 'requestedAt', 'version', 'completedAt', 'reason', 'rowCount']),
);

/** A chunk of a finished report's rows: copies of audit rows, so not audited themselves (from-stream.ts). */
export const AccessReportRowsEntity = entity('AccessReportRows', { key: AccessReportKeys.rows, prefix: AccessReportKeys.rowsPrefix }, (item) => ({
  rows: item.rows as AccessReportRow[],
}));
