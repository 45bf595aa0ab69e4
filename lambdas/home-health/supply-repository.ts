import type { Supply, SupplyMovement, VisitStatus } from '../../schemas/home-health.js';
import type { Db, Item, Page, PageRequest, TransactItem } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import { update } from '../shared/data/update-builder.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError } from '../shared/errors.js';
import { SupplyKeys, SupplyUsageKeys } from './keys.js';
import { pick, Transactions } from './transactions.js';
import { visitChildren, visitGuard, type StoredVisit } from './visit-repository.js';

const notEnoughStock = () => new ConflictError('Not enough in stock', [{ path: 'quantity', message: 'would go below zero' }]);

/**
 * Supplies, their SKU claims, staff adjustments and the uses on visits in the single table
 * (docs/data-model.md, "Home health"). Stock moves are conditional ADDs, so parallel uses never
 * take it below zero, whatever their order.
 */
export class SupplyRepository {
  private readonly tx: Transactions;

  constructor(private readonly db: Db) {
    this.tx = new Transactions(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.tx.replay(ctx, idem);
  }

  /** The supply and its SKU claim in one transaction (409 when the SKU is taken). */
  async createSupply(ctx: WriteContext, supply: Supply, idem: IdempotencyRequest | undefined): Promise<Supply> {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = supply;
    const parts = {
      sku: this.db.put(newItem(SupplyKeys.sku(ctx.orgId, supply.sku), 'SupplySku', { id: supply.sku.toUpperCase(), supplyId: supply.id }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      supply: this.db.put(newItem({ ...SupplyKeys.key(ctx.orgId, supply.id), ...SupplyKeys.inOrg(ctx.orgId, supply.name, supply.id) }, 'Supply', fields, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    return this.tx.commit(ctx, parts, supply, { sku: () => new ConflictError('A supply with this SKU exists', [{ path: 'body.sku', message: 'already in use' }]) }, idem);
  }

  async getSupply(orgId: string, supplyId: string, consistent = false): Promise<Supply | undefined> {
    const item = await this.db.get(SupplyKeys.key(orgId, supplyId), consistent);
    return item ? toSupply(item) : undefined;
  }

  /** The org's supplies by name; `belowReorder`: only those under their reorder level (filter). */
  async listSupplies(orgId: string, belowReorder: boolean, page: PageRequest): Promise<Page<Supply>> {
    const pk = SupplyKeys.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ...(belowReorder ? { FilterExpression: 'quantity < reorderLevel' } : {}),
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map(toSupply), nextCursor: out.nextCursor };
  }

  /** A staff adjustment: the stock move and its ledger entry in one transaction (a decrement below zero: 409). */
  adjust(ctx: WriteContext, move: SupplyMovement, idem: IdempotencyRequest | undefined): Promise<SupplyMovement> {
    const parts = {
      stock: this.stockMove(ctx, move.supplyId, move.delta),
      adjustment: this.db.put(newItem(SupplyKeys.adjustment(ctx.orgId, move.supplyId, move.id), 'SupplyAdjustment', { ...move }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    return this.tx.commit(ctx, parts, move, { stock: notEnoughStock }, idem);
  }

  /**
   * A use on a visit: the stock move and the usage item, while the visit is still the writer's and
   * in one of `statuses` (a visit changed meanwhile: 409 invalid_transition; too little stock: 409).
   */
  use(
    ctx: WriteContext,
    visit: StoredVisit,
    statuses: readonly VisitStatus[],
    move: SupplyMovement & { patientId: string; visitId: string },
    idem: IdempotencyRequest | undefined,
  ): Promise<SupplyMovement> {
    const parts = {
      visit: visitGuard(this.db, ctx.orgId, visit, statuses),
      stock: this.stockMove(ctx, move.supplyId, move.delta),
      usage: this.db.put(newItem(SupplyUsageKeys.key(ctx.orgId, move.patientId, move.visitId, move.id), 'SupplyUsage', { ...move }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    return this.tx.commit(ctx, parts, move, { visit: () => new InvalidTransitionError('The visit changed meanwhile'), stock: notEnoughStock }, idem);
  }

  async listVisitSupplies(orgId: string, patientId: string, visitId: string, page: PageRequest): Promise<Page<SupplyMovement>> {
    return visitChildren(this.db, orgId, patientId, SupplyUsageKeys.prefix(visitId), page, toMovement);
  }

  /**
   * Moves stock by `delta` as one conditional ADD: a decrement only while at least that much is in
   * stock. Stamped and versioned like every write, so the stream names the actor and the crossing
   * of the reorder level.
   */
  private stockMove(ctx: WriteContext, supplyId: string, delta: number): TransactItem {
    const spec = update().exists().version().stamp(ctx).add({ quantity: delta });
    if (delta < 0) spec.compare('quantity', '>=', -delta);
    return this.db.update({ Key: SupplyKeys.key(ctx.orgId, supplyId), ...spec.build() });
  }
}

const toSupply = (item: Item): Supply => pick(item, ['id', 'version', 'createdAt', 'updatedAt', 'name', 'sku', 'unit', 'quantity', 'reorderLevel']) as Supply;

const toMovement = (item: Item): SupplyMovement => pick(item, ['id', 'supplyId', 'delta', 'reason', 'visitId', 'patientId', 'by', 'at']) as SupplyMovement;
