import * as z from 'zod/mini';
import { Id, IsoDateTime } from './common.js';

// ---- Patient access reports (API.md, "Audit trail"): an accounting of disclosures --------------

/** A report covers at most this many days (API.md). */
export const ACCESS_REPORT_MAX_DAYS = 366;

export const AccessReportsParams = z.strictObject({ patientId: Id });
export const AccessReportParams = z.strictObject({ patientId: Id, reportId: Id });
export type AccessReportParams = z.infer<typeof AccessReportParams>;

export const CreateAccessReportBody = z
  .strictObject({
    from: IsoDateTime.check(z.describe('Start of the window (inclusive), ISO 8601')),
    to: IsoDateTime.check(z.describe(`End of the window (exclusive), ISO 8601; at most ${ACCESS_REPORT_MAX_DAYS} days after from`)),
  })
  .check(
    z.refine((b) => Date.parse(b.to) > Date.parse(b.from), { message: 'must be after from', path: ['to'] }),
    z.refine((b) => Date.parse(b.to) - Date.parse(b.from) <= ACCESS_REPORT_MAX_DAYS * 86_400_000, {
      message: `the window may span at most ${ACCESS_REPORT_MAX_DAYS} days`,
      path: ['to'],
    }),
  );
export type CreateAccessReportBody = z.infer<typeof CreateAccessReportBody>;

export const ACCESS_REPORT_STATUSES = ['running', 'done', 'failed'] as const;
export const AccessReportStatus = z.enum(ACCESS_REPORT_STATUSES);
export type AccessReportStatus = z.infer<typeof AccessReportStatus>;

export const AccessReportStarted = z.object({
  reportId: z.string().check(z.describe('Read it with GET .../access-reports/{reportId}')),
  status: z.literal('running'),
});
export type AccessReportStarted = z.infer<typeof AccessReportStarted>;

export const AccessReportRow = z.object({
  at: z.string().check(z.describe('When it happened, ISO 8601 UTC')),
  actor: z.object({
    userId: z.string().check(z.describe('`system` for the platform itself')),
    displayName: z.string(),
    roles: z.array(z.string()).check(z.describe('The roles the actor acted in')),
  }),
  action: z.string().check(z.describe('`read`, `create`, `update`, `delete`, or a domain verb (`resolve`, `download`, ...)')),
  entityType: z.string().check(z.describe('What was touched: `Patient`, `Incident`, `Medication`, ...')),
  entityId: z.string(),
});
export type AccessReportRow = z.infer<typeof AccessReportRow>;

export const AccessReport = z.object({
  reportId: z.string(),
  patientId: z.string(),
  from: z.string(),
  to: z.string(),
  status: AccessReportStatus,
  requestedAt: z.string(),
  completedAt: z.optional(z.string()),
  /** Why a report failed, in words a person can act on. */
  reason: z.optional(z.string()),
  rows: z.optional(z.array(AccessReportRow).check(z.describe('Oldest first; present once status is done'))),
});
export type AccessReport = z.infer<typeof AccessReport>;
