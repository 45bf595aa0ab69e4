import type { AccessReportRow } from '../../schemas/access-reports.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { PatientEntity, UserEntity } from '../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { versioned } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { AccessReportEntity, AccessReportRowsEntity, type StoredAccessReport } from './entities.js';

export type { StoredAccessReport } from './entities.js';

/** Rows per chunk item: ~300 bytes a row keeps a chunk far below DynamoDB's 400 KB. */
export const ROWS_PER_CHUNK = 500;

/**
 * Access reports in the single table; the only access-report code that knows keys. Access
 * patterns (docs/data-model.md, "Access reports"):
 * - a report: GetItem `ORG#o#PAT#p / AREP#<id>`
 * - its rows: Query `ORG#o#PAT#p`, `begins_with(SK, AREP#<id>#ROWS#)`, in chunk order
 * - patient exists: GetItem of the patient profile; actors' names: BatchGetItem of user profiles
 */
export class AccessReportRepository {
  private readonly idempotency: Idempotency;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  async patientExists(orgId: string, patientId: string): Promise<boolean> {
    return (await this.db.get(PatientEntity.key(orgId, patientId))) !== undefined;
  }

  /** The new report (+ idempotency record); answers the response of the first request with the key. */
  async create<T>(ctx: WriteContext, report: Omit<StoredAccessReport, 'version'>, idem: IdempotencyRequest | undefined, response: T): Promise<T> {
    const { id, ...fields } = report;
    const item = AccessReportEntity.newItem(AccessReportEntity.key(ctx.orgId, report.patientId, id), { id, ...fields }, ctx);
    return this.idempotency.run(ctx, idem, { report: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) }, response);
  }

  async get(orgId: string, patientId: string, reportId: string): Promise<StoredAccessReport | undefined> {
    const item = await this.db.get(AccessReportEntity.key(orgId, patientId, reportId), true);
    return item ? AccessReportEntity.fromItem(item) : undefined;
  }

  /**
   * Stores the rows, then marks the report done on condition that it is still the version read.
   * The chunks go first and unconditionally: a run's rows are the same whoever stores them, so two
   * readers finishing at once write the same chunks, and only one of them flips the status.
   * Answers false when someone else finished it first.
   */
  async complete(ctx: WriteContext, report: StoredAccessReport, rows: readonly AccessReportRow[]): Promise<boolean> {
    const chunks = Math.ceil(rows.length / ROWS_PER_CHUNK);
    await Promise.all(
      Array.from({ length: chunks }, (_, i) =>
        this.db.putItem(
          AccessReportRowsEntity.newItem(
            AccessReportRowsEntity.key(ctx.orgId, report.patientId, report.id, i),
            { reportId: report.id, patientId: report.patientId, rows: rows.slice(i * ROWS_PER_CHUNK, (i + 1) * ROWS_PER_CHUNK) },
            ctx,
          ),
        ),
      ),
    );
    return this.finish(ctx, report, { status: 'done', completedAt: ctx.now, rowCount: rows.length, auditAction: 'complete' });
  }

  /** Marks the report failed (same condition as `complete`). */
  async fail(ctx: WriteContext, report: StoredAccessReport, reason: string): Promise<boolean> {
    return this.finish(ctx, report, { status: 'failed', completedAt: ctx.now, reason, auditAction: 'fail' });
  }

  private async finish(ctx: WriteContext, report: StoredAccessReport, fields: Record<string, unknown>): Promise<boolean> {
    try {
      const Key = AccessReportEntity.key(ctx.orgId, report.patientId, report.id);
      await this.db.transact({ report: this.db.update({ Key, ...versioned(ctx, report.version).set(fields).build() }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('report')) return false;
      throw err;
    }
  }

  async rows(orgId: string, report: StoredAccessReport): Promise<AccessReportRow[]> {
    const chunks = await this.db.queryAll({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': AccessReportEntity.key(orgId, report.patientId, report.id).PK, ':prefix': AccessReportRowsEntity.prefix(report.id) },
    });
    return chunks.flatMap((c) => AccessReportRowsEntity.fromItem(c).rows);
  }

  /** Display names of users of the org, by id (unknown ids are left out). */
  async displayNames(orgId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const unique = [...new Set(userIds)];
    for (let i = 0; i < unique.length; i += 100) {
      const found = await this.db.batchGet(unique.slice(i, i + 100).map((id) => UserEntity.key(orgId, id)));
      for (const u of found.map(UserEntity.fromItem)) if (u.displayName) names.set(u.userId, u.displayName);
    }
    return names;
  }

  /** The read of a report, for the audit trail (like every read of a patient's records). */
  recordRead(ctx: WriteContext, report: StoredAccessReport): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'read', entityType: 'AccessReport', entityId: report.id, patientId: report.patientId });
  }
}
