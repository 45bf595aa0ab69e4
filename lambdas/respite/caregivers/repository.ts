import type { CaregiverProfile, PutCaregiverProfileBody } from '../../../schemas/respite.js';
import type { Db } from '../../shared/data/db.js';
import { failedPart, mapFailures } from '../../shared/data/transaction-failures.js';
import { update, versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../../shared/errors.js';
import { CaregiverProfileEntity, RespiteBudgetEntity, type StoredBudget } from '../entities.js';
import { patientExists } from '../sessions/repository.js';

export type { StoredBudget } from '../entities.js';

/**
 * Caregivers and their yearly hour budgets in the single table (docs/data-model.md, "Respite"):
 * - caregiver profile: GetItem `ORG#o#USER#u / CAREGIVER`
 * - budget: GetItem `ORG#o#PAT#p / RESPITE_BUDGET#<year>`; its counters change only by ADDs inside
 *   the session transactions (budget.ts), on condition `remainingHours >= :hours` where hours are taken
 */
export class CaregiverRepository {
  constructor(private readonly db: Db) {}

  async getCaregiverProfile(orgId: string, userId: string): Promise<CaregiverProfile | undefined> {
    const item = await this.db.get(CaregiverProfileEntity.key(orgId, userId), true);
    return item ? CaregiverProfileEntity.fromItem(item) : undefined;
  }

  /**
   * Creates or replaces the caller's profile. A PUT carries no version: it replaces whatever is
   * there, so of two at once the later wins, and each write is conditioned on the version it read
   * only so that `version` counts every replacement exactly (a lost race reads again and retries).
   */
  async putCaregiverProfile(ctx: WriteContext, body: PutCaregiverProfileBody): Promise<CaregiverProfile> {
    const key = CaregiverProfileEntity.key(ctx.orgId, ctx.actorId);
    for (let attempt = 1; ; attempt++) {
      const current = await this.db.get(key, true);
      const item = {
        ...CaregiverProfileEntity.newItem(key, { id: ctx.actorId, userId: ctx.actorId, ...body }, ctx),
        ...(current ? { version: Number(current.version) + 1, createdAt: current.createdAt } : {}),
      };
      const guard = current
        ? { ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': current.version } }
        : { ConditionExpression: 'attribute_not_exists(PK)' };
      try {
        await this.db.transact({ profile: this.db.put(item, guard) });
        return CaregiverProfileEntity.fromItem(item);
      } catch (err) {
        // A lost race reads again and retries.
        if (!failedPart(err, ['profile'])) throw err;
        if (attempt >= 10) throw new VersionConflictError('The profile changed at the same time; try again');
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  async getBudget(orgId: string, patientId: string, year: number): Promise<StoredBudget | undefined> {
    const item = await this.db.get(RespiteBudgetEntity.key(orgId, patientId, year), true);
    return item ? RespiteBudgetEntity.fromItem(item) : undefined;
  }

  /**
   * Sets a year's hours. The change is an ADD of the difference to `hoursPerYear` and
   * `remainingHours` on condition that `hoursPerYear` is still what was read (so the difference is
   * right) and that the remainder stays >= 0 (not below what sessions reserved and used); a
   * confirmation racing it only moves the counters the condition does not pin, so it retries
   * rarely. Answers the stored budget.
   */
  async putBudget(ctx: WriteContext, patientId: string, year: number, hoursPerYear: number): Promise<StoredBudget> {
    const key = RespiteBudgetEntity.key(ctx.orgId, patientId, year);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.getBudget(ctx.orgId, patientId, year);
      const delta = hoursPerYear - (current?.hoursPerYear ?? 0);
      if (current && current.remainingHours + delta < 0) {
        throw new ConflictError('Sessions already reserve or use more hours than that', [
          { path: 'body.hoursPerYear', message: `at least ${current.reservedHours + current.usedHours} hours are reserved or used` },
        ]);
      }
      const builder = current
        ? versioned(ctx).compare('hoursPerYear', '=', current.hoursPerYear).compare('remainingHours', '>=', -delta)
        : update().where('attribute_not_exists(PK)').stamp(ctx).set({
            entityType: RespiteBudgetEntity.entityType, orgId: ctx.orgId, patientId, id: `${patientId}:${year}`, year, version: 1, createdAt: ctx.now,
          }).add({ reservedHours: 0, usedHours: 0 });
      const spec = builder.add({ hoursPerYear: delta, remainingHours: delta }).build();
      try {
        await mapFailures({ patientExists: () => new NotFoundError('Patient not found') }, () =>
          this.db.transact({
            patientExists: patientExists(this.db, ctx.orgId, patientId),
            budget: this.db.update({ Key: key, ...spec }),
          }),
        );
        return (await this.getBudget(ctx.orgId, patientId, year))!;
      } catch (err) {
        // Another change of hoursPerYear, or a reservation that took the remainder: read again.
        if (!failedPart(err, ['budget'])) throw err;
      }
    }
    throw new ConflictError('The budget is changing; try again');
  }
}
