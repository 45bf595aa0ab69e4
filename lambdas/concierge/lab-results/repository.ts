import type { LabResult } from '../../../schemas/concierge.js';
import { recordAccess } from '../../shared/data/access-record.js';
import type { Item, Page, PageRequest, TransactItem, TransactParts } from '../../shared/data/db.js';
import { failedPart, mapFailures } from '../../shared/data/transaction-failures.js';
import { PatientEntity } from '../../shared/data/entities.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import { update, versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError } from '../../shared/errors.js';
import { LabResultAlertEntity, LabResultEntity } from '../entities.js';
import { ConciergeStore } from '../store.js';

/**
 * Lab results and their critical alerts in the single table (docs/data-model.md, "Medical concierge"):
 * - lab result: GetItem `P / LAB#<id>`; newest first: Query GSI1 `P#LABS`; per test: Query GSI2 `P#LAB#<code>`
 * - a published critical result's alert: `P / LABALERT#<id>` (its INSERT notifies, its escalation mark escalates)
 */
export class LabResultRepository extends ConciergeStore {
  async getLabResult(orgId: string, patientId: string, id: string, consistent = false): Promise<LabResult | undefined> {
    const item = await this.db.get(LabResultEntity.key(orgId, patientId, id), consistent);
    return item ? LabResultEntity.fromItem(item) : undefined;
  }

  /** Lab results are clinical records: every read of a patient's list is audited (one row per page served). */
  recordRead(ctx: WriteContext, patientId: string): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'read', entityType: 'LabResult', entityId: `patient:${patientId}`, patientId });
  }

  /** The result (+ its critical alert when it is published critical, + idempotency record). */
  async createLabResult(ctx: WriteContext, lab: LabResult, critical: boolean, idem: IdempotencyRequest | undefined, supersede?: LabResult): Promise<LabResult> {
    const parts: TransactParts = {
      patient: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, lab.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      result: this.db.put(this.labItem(ctx, lab), { ConditionExpression: 'attribute_not_exists(PK)' }),
      ...(supersede
        ? {
            superseded: this.db.update({
              Key: LabResultEntity.key(ctx.orgId, supersede.patientId, supersede.id),
              ...versioned(ctx, supersede.version).set({ supersededBy: lab.id, auditAction: 'supersede' }).absent('supersededBy').build(),
            }),
          }
        : {}),
      ...(critical ? { alert: this.alertItem(ctx, lab) } : {}),
    };
    return mapFailures({
      patient: () => new NotFoundError('Patient not found'),
      superseded: () => new ConflictError('This result was corrected or changed meanwhile; fetch it again'),
    }, () => this.idempotency.run(ctx, idem, parts, lab));
  }

  /** preliminary -> final, on condition that it is still preliminary (+ its alert when critical). */
  async finalizeLabResult(ctx: WriteContext, current: LabResult, critical: boolean): Promise<LabResult> {
    const final: LabResult = { ...current, status: 'final', publishedAt: ctx.now, version: current.version + 1, updatedAt: ctx.now };
    const sortAt = ctx.now;
    const fields = {
      status: 'final',
      publishedAt: ctx.now,
      auditAction: 'finalize',
      ...LabResultEntity.byPatient(ctx.orgId, current.patientId, sortAt, current.id),
      ...LabResultEntity.byTest(ctx.orgId, current.patientId, current.testCode, sortAt, current.id),
    };
    const spec = versioned(ctx, current.version).set(fields).compare('status', '=', 'preliminary').build();
    await mapFailures({ result: () => new InvalidTransitionError('Only a preliminary result can be finalized') }, () =>
      this.db.transact({
        result: this.db.update({ Key: LabResultEntity.key(ctx.orgId, current.patientId, current.id), ...spec }),
        ...(critical ? { alert: this.alertItem(ctx, final) } : {}),
      }),
    );
    return final;
  }

  /** Records the acknowledgement once, on the result and its alert (which stops the escalation). */
  async acknowledgeLabResult(ctx: WriteContext, current: LabResult): Promise<LabResult> {
    const fields = { acknowledgedBy: ctx.actorId, acknowledgedAt: ctx.now };
    await mapFailures({
      result: () => new InvalidTransitionError('This result is already acknowledged'),
      alert: () => new InvalidTransitionError('Only a published critical result is acknowledged'),
    }, () =>
      this.db.transact({
        result: this.db.update({
          Key: LabResultEntity.key(ctx.orgId, current.patientId, current.id),
          ...versioned(ctx).set({ ...fields, auditAction: 'acknowledge' }).absent('acknowledgedAt').build(),
        }),
        alert: this.db.update({ Key: LabResultAlertEntity.key(ctx.orgId, current.patientId, current.id), ...versioned(ctx).set({ ...fields, auditAction: 'acknowledge' }).build() }),
      }),
    );
    return { ...current, ...fields, version: current.version + 1, updatedAt: ctx.now };
  }

  /**
   * The escalation fired: marks the alert `escalatedAt` once, on condition that nobody acknowledged
   * it. Its stream record becomes `LabResultCriticalUnacknowledged`. False when there is nothing to do.
   */
  async markEscalated(ctx: WriteContext, patientId: string, labResultId: string): Promise<boolean> {
    const spec = update().exists().stamp(ctx).set({ escalatedAt: ctx.now, auditAction: 'escalate' }).absent('acknowledgedAt').absent('escalatedAt').build();
    try {
      await this.db.transact({ alert: this.db.update({ Key: LabResultAlertEntity.key(ctx.orgId, patientId, labResultId), ...spec }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['alert'])) return false;
      throw err;
    }
  }

  /**
   * A patient's results, newest publishedAt (else createdAt) first; `published` leaves preliminary
   * results out (a filter over one patient's results: `Limit` still caps what a page reads).
   */
  async listLabResults(orgId: string, patientId: string, testCode: string | undefined, published: boolean, page: PageRequest): Promise<Page<LabResult>> {
    const [index, pk] = testCode
      ? (['GSI2', LabResultEntity.testPartition(orgId, patientId, testCode)] as const)
      : (['GSI1', LabResultEntity.patientPartition(orgId, patientId)] as const);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: index,
        KeyConditionExpression: `${index}PK = :pk`,
        ExpressionAttributeValues: { ':pk': pk, ...(published ? { ':pre': 'preliminary' } : {}) },
        ...(published ? { FilterExpression: '#st <> :pre', ExpressionAttributeNames: { '#st': 'status' } } : {}),
        ScanIndexForward: false,
      },
      page,
      { attribute: `${index}PK`, value: pk },
    );
    return { items: out.items.map((i) => LabResultEntity.fromItem(i)), nextCursor: out.nextCursor };
  }

  private labItem(ctx: WriteContext, lab: LabResult): Item {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = lab;
    const sortAt = lab.publishedAt ?? lab.createdAt;
    return LabResultEntity.newItem(
      {
        ...LabResultEntity.key(ctx.orgId, lab.patientId, id),
        ...LabResultEntity.byPatient(ctx.orgId, lab.patientId, sortAt, id),
        ...LabResultEntity.byTest(ctx.orgId, lab.patientId, lab.testCode, sortAt, id),
      },
      { id, ...fields },
      ctx,
    );
  }

  private alertItem(ctx: WriteContext, lab: LabResult): TransactItem {
    return this.db.put(
      LabResultAlertEntity.newItem(LabResultAlertEntity.key(ctx.orgId, lab.patientId, lab.id), {
        id: lab.id,
        patientId: lab.patientId,
        labResultId: lab.id,
        flag: lab.flag,
        publishedAt: lab.publishedAt,
      }, ctx),
      { ConditionExpression: 'attribute_not_exists(PK)' },
    );
  }
}
