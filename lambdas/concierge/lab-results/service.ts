import { ulid } from 'ulid';
import type { CorrectLabResultBody, CreateLabResultBody, LabResult, LabResultListQuery } from '../../../schemas/concierge.js';
import { hasAnyRole, type Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/data/db.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { deleteAll, putAll } from '../../shared/scheduling/schedule-writes.js';
import type { OneTimeSchedule, Scheduler } from '../../shared/scheduling/scheduler.js';
import type { EscalationSettings } from '../context.js';
import { CONCIERGE_SCHEDULE_NAMES, type LabEscalationPayload } from '../notices.js';
import { CLINICAL_READERS, isCritical, labFlag } from '../rules.js';
import type { LabResultRepository } from './repository.js';

const MINUTE = 60_000;

/**
 * Lab results (API.md, "Medical concierge"): preliminary, final, corrected; a published critical
 * result escalates unless acknowledged in the org's delay (its one-time schedule is put before the
 * write and removed if the write fails). No HTTP, no SDK.
 */
export class LabResultService {
  /** Removals after the write only log a failure: a schedule left behind finds nothing to do when it fires. */
  private readonly quiet: { logger: Logger };

  constructor(
    private readonly repo: LabResultRepository,
    private readonly policy: AccessPolicy,
    private readonly org: EscalationSettings,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {
    this.quiet = { logger };
  }

  async createLabResult(caller: Caller, ctx: WriteContext, patientId: string, body: CreateLabResultBody, idem?: IdempotencyRequest): Promise<LabResult> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as LabResult;
    const lab = newLab(ctx, patientId, body, body.status);
    return this.store(ctx, lab, idem);
  }

  async listLabResults(caller: Caller, ctx: WriteContext, patientId: string, query: LabResultListQuery): Promise<Page<LabResult>> {
    const publishedOnly = !hasAnyRole(caller, CLINICAL_READERS);
    const page = await this.policy.readAsViewer(caller, patientId, () => this.repo.listLabResults(ctx.orgId, patientId, query.testCode, publishedOnly, query), 'existing');
    await this.repo.recordRead(ctx, patientId);
    return page;
  }

  async finalize(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string): Promise<LabResult> {
    const current = await this.load(caller, patientId, labResultId);
    if (current.status !== 'preliminary') throw new InvalidTransitionError('Only a preliminary result can be finalized');
    const critical = isCritical(current.flag);
    const escalation = critical ? await this.escalation(ctx, current) : undefined;
    if (escalation) await putAll(this.scheduler, [escalation], this.logger);
    try {
      return await this.repo.finalizeLabResult(ctx, current, critical);
    } catch (err) {
      if (escalation) await deleteAll(this.scheduler, [escalation.name], this.quiet);
      throw err;
    }
  }

  /** A final result never changes: a new `corrected` result supersedes it. */
  async correct(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string, body: CorrectLabResultBody, idem?: IdempotencyRequest): Promise<LabResult> {
    const current = await this.load(caller, patientId, labResultId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as LabResult;
    if (current.status === 'preliminary') throw new InvalidTransitionError('A preliminary result is finalized, not corrected');
    if (current.supersededBy) throw new InvalidTransitionError('This result was corrected already; correct the newest one');
    const lab: LabResult = { ...newLab(ctx, patientId, body, 'corrected'), supersedes: current.id };
    return this.store(ctx, lab, idem, current);
  }

  /** Clinician or staff who may see the patient; once, for a published critical result. */
  async acknowledge(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string): Promise<LabResult> {
    const current = await this.load(caller, patientId, labResultId);
    if (!isCritical(current.flag) || current.status === 'preliminary') throw new InvalidTransitionError('Only a published critical result is acknowledged');
    if (current.acknowledgedAt) throw new InvalidTransitionError('This result is already acknowledged');
    const out = await this.repo.acknowledgeLabResult(ctx, current);
    await deleteAll(this.scheduler, [CONCIERGE_SCHEDULE_NAMES.labEscalation(current.id)], this.quiet);
    return out;
  }

  private async load(caller: Caller, patientId: string, labResultId: string): Promise<LabResult> {
    const lab = await this.policy.readAsViewer(caller, patientId, () => this.repo.getLabResult(caller.orgId, patientId, labResultId, true));
    if (!lab) throw new NotFoundError('Lab result not found');
    return lab;
  }

  private async store(ctx: WriteContext, lab: LabResult, idem: IdempotencyRequest | undefined, supersede?: LabResult): Promise<LabResult> {
    const critical = lab.status !== 'preliminary' && isCritical(lab.flag);
    const escalation = critical ? await this.escalation(ctx, lab) : undefined;
    if (escalation) await putAll(this.scheduler, [escalation], this.logger);
    try {
      const stored = await this.repo.createLabResult(ctx, lab, critical, idem, supersede);
      if (escalation && stored.id !== lab.id) await deleteAll(this.scheduler, [escalation.name], this.quiet);
      return stored;
    } catch (err) {
      if (escalation) await deleteAll(this.scheduler, [escalation.name], this.quiet);
      throw err;
    }
  }

  private async escalation(ctx: WriteContext, lab: Pick<LabResult, 'id' | 'patientId'>): Promise<OneTimeSchedule> {
    const { criticalEscalationMinutes } = await this.org.settings(ctx.orgId);
    const payload: LabEscalationPayload = { kind: 'lab-escalation', orgId: ctx.orgId, patientId: lab.patientId, labResultId: lab.id };
    return { name: CONCIERGE_SCHEDULE_NAMES.labEscalation(lab.id), at: new Date(Date.parse(ctx.now) + criticalEscalationMinutes * MINUTE).toISOString(), payload };
  }
}

function newLab(ctx: WriteContext, patientId: string, body: CorrectLabResultBody, status: LabResult['status']): LabResult {
  return {
    id: ulid(Date.parse(ctx.now)),
    patientId,
    testCode: body.testCode,
    testName: body.testName,
    ...(body.value !== undefined ? { value: body.value } : {}),
    ...(body.valueText !== undefined ? { valueText: body.valueText } : {}),
    ...(body.units !== undefined ? { units: body.units } : {}),
    ...(body.referenceRange !== undefined ? { referenceRange: body.referenceRange } : {}),
    ...(body.criticalRange !== undefined ? { criticalRange: body.criticalRange } : {}),
    collectedAt: new Date(body.collectedAt).toISOString(),
    ...(body.orderedBy !== undefined ? { orderedBy: body.orderedBy } : {}),
    ...(body.attachmentIds !== undefined ? { attachmentIds: body.attachmentIds } : {}),
    status,
    flag: labFlag(body.value, body.referenceRange, body.criticalRange),
    publishedAt: status === 'preliminary' ? null : ctx.now,
    createdBy: ctx.actorId,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}
