import { ulid } from 'ulid';
import type { AccessReport, AccessReportRow, AccessReportStarted, CreateAccessReportBody } from '../../schemas/access-reports.js';
import { hasAnyRole, type Caller } from '../shared/auth/caller.js';
import type { AuditQueryEngine, AuditQueryRow } from '../shared/audit/query-engine.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError } from '../shared/errors.js';
import type { AccessReportRepository, StoredAccessReport } from './repository.js';
import { accessReportQuery } from './report-query.js';

/** More rows than a response should carry (~3 MB): the report fails and asks for a shorter window. */
export const MAX_REPORT_ROWS = 10_000;

/**
 * Patient access reports (API.md, "Audit trail"): who read, changed or deleted a patient's records
 * in a window, from the audit trail. Starting one starts a query on the audit engine (Athena, or
 * DuckDB locally) and stores a `running` report; reading it while running asks the engine, and the
 * first read that finds it finished stores the rows, so every later read answers the same rows.
 *
 * Who: the patient about themself, staff and compliance about any patient of their org (compliance
 * sees no clinical data, and these rows are none: ids, actions, actors). A report is read only by
 * whoever asked for it; anything else is 404, like any record the caller may not see.
 */
export class AccessReportService {
  constructor(
    private readonly reports: AccessReportRepository,
    private readonly engine: AuditQueryEngine,
  ) {}

  async start(caller: Caller, ctx: WriteContext, patientId: string, body: CreateAccessReportBody, idem?: IdempotencyRequest): Promise<AccessReportStarted> {
    const replayed = await this.reports.replay(ctx, idem);
    if (replayed) return replayed.response as AccessReportStarted;
    await this.assertMayReportOn(caller, patientId);

    const reportId = ulid(Date.parse(ctx.now));
    const from = new Date(body.from).toISOString();
    const to = new Date(body.to).toISOString();
    const executionId = await this.engine.start(accessReportQuery({ orgId: caller.orgId, patientId, reportId, from, to }));
    const response: AccessReportStarted = { reportId, status: 'running' };
    return this.reports.create(
      ctx,
      { id: reportId, patientId, requestedBy: caller.userId, from, to, status: 'running', executionId, requestedAt: ctx.now },
      idem,
      response,
    );
  }

  async get(caller: Caller, ctx: WriteContext, patientId: string, reportId: string): Promise<AccessReport> {
    let report = await this.reports.get(caller.orgId, patientId, reportId);
    if (!report || report.requestedBy !== caller.userId) throw new NotFoundError('Access report not found');
    if (report.status === 'running') report = await this.finishIfDone(ctx, report);
    await this.reports.recordRead(ctx, report);
    const rows = report.status === 'done' ? await this.reports.rows(caller.orgId, report) : undefined;
    return {
      reportId: report.id,
      patientId: report.patientId,
      from: report.from,
      to: report.to,
      status: report.status,
      requestedAt: report.requestedAt,
      ...(report.completedAt ? { completedAt: report.completedAt } : {}),
      ...(report.reason ? { reason: report.reason } : {}),
      ...(rows ? { rows } : {}),
    };
  }

  /** The patient themself; staff and compliance for a patient of their org; else 404. */
  private async assertMayReportOn(caller: Caller, patientId: string): Promise<void> {
    if (caller.roles.includes('patient') && caller.patientId === patientId) return;
    if (hasAnyRole(caller, ['admin', 'coordinator', 'compliance']) && (await this.reports.patientExists(caller.orgId, patientId))) return;
    throw new NotFoundError('Patient not found');
  }

  private async finishIfDone(ctx: WriteContext, report: StoredAccessReport): Promise<StoredAccessReport> {
    const result = await this.engine.result(report.executionId);
    if (result.state === 'running') return report;
    // Whoever finishes it (this read or a parallel one), the stored report is then the answer.
    await (result.state === 'failed'
        ? this.reports.fail(ctx, report, 'The audit query failed; ask for the report again')
        : result.rows.length > MAX_REPORT_ROWS
          ? this.reports.fail(ctx, report, `More than ${MAX_REPORT_ROWS} entries; ask for a shorter window`)
          : this.reports.complete(ctx, report, await this.toRows(ctx.orgId, result.rows)));
    return (await this.reports.get(ctx.orgId, report.patientId, report.id)) ?? report;
  }

  private async toRows(orgId: string, rows: readonly AuditQueryRow[]): Promise<AccessReportRow[]> {
    const names = await this.reports.displayNames(orgId, rows.map((r) => r.actor_id ?? '').filter((id) => id && id !== 'system'));
    return rows.map((r) => {
      const userId = r.actor_id ?? 'system';
      return {
        at: r.at ?? '',
        actor: {
          userId,
          displayName: userId === 'system' ? 'CareStack' : (names.get(userId) ?? userId),
          roles: (r.actor_roles ?? '').split(',').filter(Boolean),
        },
        action: r.action ?? '',
        entityType: r.entity_type ?? '',
        entityId: r.entity_id ?? '',
      };
    });
  }
}
