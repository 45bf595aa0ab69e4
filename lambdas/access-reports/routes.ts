import { AccessReport, AccessReportParams, AccessReportsParams, AccessReportStarted, CreateAccessReportBody } from '../../schemas/access-reports.js';
import type { Role } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** The patient, staff and compliance (audit rows are no clinical data); the service checks which patient. */
const REPORTERS: readonly Role[] = ['patient', 'admin', 'coordinator', 'compliance'];

/** Patient access reports (API.md, "Audit trail"), served by `accessReports`. */
export const ACCESS_REPORT_ROUTES = defineRoutes('accessReports', {
  'POST /patients/{patientId}/access-reports': {
    operation: 'requestAccessReport', roles: REPORTERS,
    summary: "Start an access report: who read, changed or deleted the patient's records in a window (at most 366 days)",
    params: AccessReportsParams, body: CreateAccessReportBody, response: AccessReportStarted, status: 202, idempotent: true,
  },
  'GET /patients/{patientId}/access-reports/{reportId}': {
    operation: 'getAccessReport', roles: REPORTERS,
    summary: 'An access report you asked for: running, done (with rows, oldest first) or failed; the read is audited',
    params: AccessReportParams, response: AccessReport,
  },
});
