import { ulid } from 'ulid';
import type { AdjustSupplyBody, CreateSupplyBody, Supply, SupplyListQuery, SupplyMovement, UseSupplyBody } from '../../schemas/home-health.js';
import { isStaff, type Caller } from '../shared/auth/caller.js';
import type { Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError } from '../shared/errors.js';
import { LOGGABLE } from './rules.js';
import type { SupplyRepository } from './supply-repository.js';
import type { VisitAccess } from './visit-service.js';

/**
 * Supplies (API.md, "Aides, home visits and electronic visit verification"): staff keep the stock,
 * the assigned aide records what a visit used. The visit's access decisions are VisitService's.
 * No HTTP, no SDK.
 */
export class SupplyService {
  constructor(
    private readonly supplies: SupplyRepository,
    private readonly visits: VisitAccess,
  ) {}

  async createSupply(ctx: WriteContext, body: CreateSupplyBody, idem?: IdempotencyRequest): Promise<Supply> {
    const earlier = await this.supplies.replay(ctx, idem);
    if (earlier) return earlier.response as Supply;
    const supply: Supply = { id: ulid(Date.parse(ctx.now)), ...body, version: 1, createdAt: ctx.now, updatedAt: ctx.now };
    return this.supplies.createSupply(ctx, supply, idem);
  }

  listSupplies(caller: Caller, query: SupplyListQuery): Promise<Page<Supply>> {
    return this.supplies.listSupplies(caller.orgId, query.below === 'reorder', query);
  }

  async adjustSupply(ctx: WriteContext, supplyId: string, body: AdjustSupplyBody, idem?: IdempotencyRequest): Promise<SupplyMovement> {
    const earlier = await this.supplies.replay(ctx, idem);
    if (earlier) return earlier.response as SupplyMovement;
    if (!(await this.supplies.getSupply(ctx.orgId, supplyId))) throw new NotFoundError('Supply not found');
    const move: SupplyMovement = { id: ulid(Date.parse(ctx.now)), supplyId, delta: body.delta, reason: body.reason, by: ctx.actorId, at: ctx.now };
    return this.supplies.adjust(ctx, move, idem);
  }

  async useSupply(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: UseSupplyBody, idem?: IdempotencyRequest): Promise<SupplyMovement> {
    const visit = await this.visits.assignedAidesVisit(caller, patientId, visitId);
    if (!LOGGABLE.includes(visit.status)) throw new InvalidTransitionError(`Supplies cannot be used on a ${visit.status} visit`);
    const earlier = await this.supplies.replay(ctx, idem);
    if (earlier) return earlier.response as SupplyMovement;
    if (!(await this.supplies.getSupply(ctx.orgId, body.supplyId))) throw new NotFoundError('Supply not found');
    const move = { id: ulid(Date.parse(ctx.now)), supplyId: body.supplyId, delta: -body.quantity, visitId, patientId, by: ctx.actorId, at: ctx.now };
    return this.supplies.use(ctx, visit, LOGGABLE, move, idem);
  }

  async listVisitSupplies(caller: Caller, patientId: string, visitId: string, page: PageRequest): Promise<Page<SupplyMovement>> {
    if (isStaff(caller)) await this.visits.visitFor(caller, patientId, visitId);
    else await this.visits.assignedAidesVisit(caller, patientId, visitId);
    return this.supplies.listVisitSupplies(caller.orgId, patientId, visitId, page);
  }
}
