import { ulid } from 'ulid';
import type { CreateServiceLogBody, ServiceLog } from '../../schemas/home-health.js';
import type { Caller } from '../shared/auth/caller.js';
import type { Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { InvalidTransitionError } from '../shared/errors.js';
import { LOGGABLE } from './rules.js';
import type { ServiceLogRepository } from './service-log-repository.js';
import type { VisitAccess } from './visit-service.js';

/**
 * Service logs (API.md, "Aides, home visits and electronic visit verification"): the assigned aide
 * writes what was done on a visit; whoever may see the visit reads them. No HTTP, no SDK.
 */
export class ServiceLogService {
  constructor(
    private readonly logs: ServiceLogRepository,
    private readonly visits: VisitAccess,
  ) {}

  async addLog(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: CreateServiceLogBody, idem?: IdempotencyRequest): Promise<ServiceLog> {
    const visit = await this.visits.assignedAidesVisit(caller, patientId, visitId);
    if (!LOGGABLE.includes(visit.status)) throw new InvalidTransitionError(`A ${visit.status} visit takes no service log`);
    const earlier = await this.logs.replay(ctx, idem);
    if (earlier) return earlier.response as ServiceLog;
    const log: ServiceLog = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      visitId,
      description: body.description,
      tasksCompleted: body.tasksCompleted ?? [],
      ...(body.serviceMinutes !== undefined ? { serviceMinutes: body.serviceMinutes } : {}),
      authorId: ctx.actorId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.logs.add(ctx, visit, LOGGABLE, log, idem);
  }

  async listLogs(caller: Caller, patientId: string, visitId: string, page: PageRequest): Promise<Page<ServiceLog>> {
    await this.visits.visitFor(caller, patientId, visitId);
    return this.logs.listLogs(caller.orgId, patientId, visitId, page);
  }
}
