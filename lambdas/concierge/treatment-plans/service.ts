import { ulid } from 'ulid';
import type { CreateTreatmentPlanBody, PlanStatus, TreatmentPlan, TreatmentPlanListQuery, UpdateTreatmentPlanBody } from '../../../schemas/concierge.js';
import { hasAnyRole, type Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/data/db.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../../shared/errors.js';
import { canPlanTransition, CLINICAL_READERS, isFinalPlan } from '../rules.js';
import type { PlanPointer, TreatmentPlanRepository } from './repository.js';

const PLAN_VERB: Record<PlanStatus, string> = { draft: 'update', active: 'activate', completed: 'complete', cancelled: 'cancel' };

/**
 * Treatment plans (API.md, "Medical concierge"): draft -> active -> completed or cancelled, at most
 * one active plan per patient; patient and family see active and completed plans only. No HTTP, no SDK.
 */
export class TreatmentPlanService {
  constructor(
    private readonly repo: TreatmentPlanRepository,
    private readonly policy: AccessPolicy,
  ) {}

  async createPlan(caller: Caller, ctx: WriteContext, patientId: string, body: CreateTreatmentPlanBody, idem?: IdempotencyRequest): Promise<TreatmentPlan> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as TreatmentPlan;
    if (body.endDate && body.endDate < body.startDate) throw new ValidationError('endDate is before startDate', [{ path: 'body.endDate', message: 'must not be before startDate' }]);
    const plan: TreatmentPlan = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      title: body.title,
      summary: body.summary,
      ...(body.details !== undefined ? { details: body.details } : {}),
      startDate: body.startDate,
      ...(body.endDate !== undefined ? { endDate: body.endDate } : {}),
      goals: body.goals ?? [],
      status: 'draft',
      createdBy: ctx.actorId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createPlan(ctx, plan, idem);
  }

  async updatePlan(caller: Caller, ctx: WriteContext, patientId: string, planId: string, body: UpdateTreatmentPlanBody): Promise<TreatmentPlan> {
    const current = await this.policy.readAsViewer(caller, patientId, () => this.repo.getPlan(ctx.orgId, patientId, planId, true));
    if (!current) throw new NotFoundError('Treatment plan not found');
    if (isFinalPlan(current.status)) throw new InvalidTransitionError(`A ${current.status} plan is final`);
    if (body.version !== current.version) throw new VersionConflictError();
    const to = body.status ?? current.status;
    if (!canPlanTransition(current.status, to)) throw new InvalidTransitionError(`A plan cannot go from ${current.status} to ${to}`);
    const { version, status: _s, ...rest } = body;
    const changes: Partial<TreatmentPlan> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (changes.endDate && changes.endDate < current.startDate) throw new ValidationError('endDate is before startDate', [{ path: 'body.endDate', message: 'must not be before startDate' }]);
    let pointer: PlanPointer;
    if (to !== current.status) {
      changes.status = to;
      if (to === 'active') {
        changes.activatedAt = ctx.now;
        pointer = 'take';
      }
      if (to === 'completed') changes.completedAt = ctx.now;
      if (to === 'cancelled') changes.cancelledAt = ctx.now;
      if (current.status === 'active') pointer = 'release';
    }
    const verb = to !== current.status ? PLAN_VERB[to] : null;
    return this.repo.updatePlan(ctx, current, changes, version, pointer, verb);
  }

  async listPlans(caller: Caller, patientId: string, query: TreatmentPlanListQuery): Promise<Page<TreatmentPlan>> {
    const visible: readonly PlanStatus[] | undefined = hasAnyRole(caller, CLINICAL_READERS) ? undefined : ['active', 'completed'];
    const statuses = query.status ? (visible && !visible.includes(query.status) ? [] : [query.status]) : visible;
    if (statuses?.length === 0) {
      await this.policy.assertCanSeeExistingPatient(caller, patientId);
      return { items: [], nextCursor: null };
    }
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listPlans(caller.orgId, patientId, statuses, query), 'existing');
  }
}
