import type { TreatmentPlan } from '../../../schemas/concierge.js';
import type { Item, Page, PageRequest, TransactParts } from '../../shared/data/db.js';
import { mapFailures } from '../../shared/data/transaction-failures.js';
import { PatientEntity } from '../../shared/data/entities.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import { versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../../shared/errors.js';
import { ActivePlanEntity, TreatmentPlanEntity } from '../entities.js';
import { ConciergeStore } from '../store.js';

/** What an update does to the patient's one-active-plan pointer: take it (activate) or release it. */
export type PlanPointer = 'take' | 'release' | undefined;

/**
 * Treatment plans in the single table (docs/data-model.md, "Medical concierge"): Query `P`,
 * `PLAN#0..PLAN#8`, reverse; the one active plan: `P / PLAN#ACTIVE`.
 */
export class TreatmentPlanRepository extends ConciergeStore {
  async getPlan(orgId: string, patientId: string, id: string, consistent = false): Promise<TreatmentPlan | undefined> {
    const item = await this.db.get(TreatmentPlanEntity.key(orgId, patientId, id), consistent);
    return item ? TreatmentPlanEntity.fromItem(item) : undefined;
  }

  async createPlan(ctx: WriteContext, plan: TreatmentPlan, idem: IdempotencyRequest | undefined): Promise<TreatmentPlan> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = plan;
    return mapFailures({ patient: () => new NotFoundError('Patient not found') }, () =>
      this.idempotency.run(ctx, idem, {
        patient: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, plan.patientId), ConditionExpression: 'attribute_exists(PK)' }),
        plan: this.db.put(TreatmentPlanEntity.newItem(TreatmentPlanEntity.key(ctx.orgId, plan.patientId, id), { id, ...fields }, ctx), { ConditionExpression: 'attribute_not_exists(PK)' }),
      }, plan),
    );
  }

  /**
   * Applies `changes` on condition of `expectedVersion`. Activation puts the patient's `PLAN#ACTIVE`
   * pointer on condition that none exists, in the same transaction (of parallel activations exactly
   * one wins); completing or cancelling the active plan deletes it.
   */
  async updatePlan(ctx: WriteContext, current: TreatmentPlan, changes: Partial<TreatmentPlan>, expectedVersion: number, pointer: PlanPointer, verb: string | null): Promise<TreatmentPlan> {
    const pointerKey = ActivePlanEntity.key(ctx.orgId, current.patientId);
    const parts: TransactParts = {
      plan: this.db.update({ Key: TreatmentPlanEntity.key(ctx.orgId, current.patientId, current.id), ...versioned(ctx, expectedVersion).set({ ...changes, auditAction: verb }).build() }),
    };
    if (pointer === 'take') {
      parts.pointer = this.db.put(ActivePlanEntity.newItem(pointerKey, { id: current.patientId, patientId: current.patientId, planId: current.id }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      });
    }
    if (pointer === 'release') {
      parts.release = this.db.delete({ Key: pointerKey, ConditionExpression: 'planId = :plan', ExpressionAttributeValues: { ':plan': current.id } });
    }
    await mapFailures({
      plan: () => new VersionConflictError(),
      pointer: () => new ConflictError('Another treatment plan of this patient is active'),
      release: () => new VersionConflictError(),
    }, () => this.db.transact(parts));
    return { ...current, ...changes, version: current.version + 1, updatedAt: ctx.now };
  }

  /** A patient's plans, newest first; `statuses` filters the page (one patient's handful of plans). */
  async listPlans(orgId: string, patientId: string, statuses: readonly string[] | undefined, page: PageRequest): Promise<Page<TreatmentPlan>> {
    const pk = TreatmentPlanEntity.partition(orgId, patientId);
    const values: Record<string, unknown> = { ':pk': pk, ':from': TreatmentPlanEntity.range.from, ':to': TreatmentPlanEntity.range.to };
    statuses?.forEach((s, i) => (values[`:st${i}`] = s));
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: values,
        ...(statuses ? { FilterExpression: `#st IN (${statuses.map((_, i) => `:st${i}`).join(', ')})`, ExpressionAttributeNames: { '#st': 'status' } } : {}),
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map((i) => TreatmentPlanEntity.fromItem(i)), nextCursor: out.nextCursor };
  }
}
