import { ulid } from 'ulid';
import type {
  CreateIncidentBody,
  Incident,
  IncidentListQuery,
  PatientDashboard,
  UpdateIncidentBody,
} from '../../schemas/assisted-living.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Page } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../shared/errors.js';
import type { AssistedLivingRepository, StoredIncident } from './repository.js';
import { AUDIT_VERB, canTransition, isOverdue, occurredTooLate, reportDueBy } from './rules.js';

/** The assisted-living use cases (API.md, "Assisted living"). No HTTP, no SDK here. */
export class AssistedLivingService {
  constructor(
    private readonly repo: AssistedLivingRepository,
    private readonly policy: AccessPolicy,
    private readonly clock: Clock,
    private readonly db: Db,
  ) {}

  async report(caller: Caller, ctx: WriteContext, patientId: string, body: CreateIncidentBody, idem?: IdempotencyRequest): Promise<Incident> {
    await this.policy.assertCanReportIncident(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return this.withOverdue(earlier.response as StoredIncident);
    if (occurredTooLate(body.occurredAt, new Date(ctx.now))) {
      throw new ValidationError('occurredAt is in the future', [{ path: 'body.occurredAt', message: 'must not be more than 5 minutes in the future' }]);
    }
    // One canonical form (UTC, milliseconds) so that the index sort keys order by time.
    const occurredAt = new Date(body.occurredAt).toISOString();
    const incident: StoredIncident = {
      id: ulid(Date.parse(occurredAt)),
      patientId,
      category: body.category,
      severity: body.severity,
      details: body.details,
      occurredAt,
      ...(body.location !== undefined ? { location: body.location } : {}),
      ...(body.witnesses !== undefined ? { witnesses: body.witnesses } : {}),
      status: 'open',
      reportedBy: ctx.actorId,
      reportedAt: ctx.now,
      reportDueBy: reportDueBy(body.category, body.severity, occurredAt),
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.withOverdue(await this.repo.create(ctx, incident, idem));
  }

  async listForPatient(caller: Caller, ctx: WriteContext, patientId: string, query: IncidentListQuery): Promise<Page<Incident>> {
    const page = await this.policy.readAsViewer(caller, patientId, () => this.repo.listForPatient(caller.orgId, patientId, query.status, query), 'existing');
    // Incidents are clinical records: the read is audited (one row per page served).
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'Incident', entityId: `patient:${patientId}`, patientId });
    return { items: page.items.map((i) => this.withOverdue(i)), nextCursor: page.nextCursor };
  }

  /** Staff only (route roles): the org's incidents, the queue by status. */
  async listForOrg(caller: Caller, ctx: WriteContext, query: IncidentListQuery): Promise<Page<Incident>> {
    const page = await this.repo.listForOrg(caller.orgId, query.status, query);
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'Incident', entityId: `org:${caller.orgId}` });
    return { items: page.items.map((i) => this.withOverdue(i)), nextCursor: page.nextCursor };
  }

  async update(caller: Caller, ctx: WriteContext, patientId: string, incidentId: string, body: UpdateIncidentBody): Promise<Incident> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const current = await this.repo.get(caller.orgId, patientId, incidentId, true);
    if (!current) throw new NotFoundError('Incident not found');
    this.policy.assertCanUpdateIncident(caller, current);
    if (current.status === 'resolved') throw new InvalidTransitionError('A resolved incident is final');
    if (body.version !== current.version) throw new VersionConflictError();
    const to = body.status ?? current.status;
    if (!canTransition(current.status, to)) throw new InvalidTransitionError(`An incident cannot go from ${current.status} to ${to}`);

    const changes: Partial<StoredIncident> = {};
    if (to !== current.status) changes.status = to;
    if (to === 'resolved') Object.assign(changes, { resolution: body.resolution, resolvedAt: ctx.now, resolvedBy: ctx.actorId });
    if (body.notifiedParties !== undefined) changes.notifiedParties = body.notifiedParties;
    const verb = to !== current.status ? AUDIT_VERB[to] : null;
    return this.withOverdue(await this.repo.update(ctx, current, changes, body.version, verb));
  }

  async dashboard(caller: Caller, patientId: string): Promise<PatientDashboard> {
    return this.policy.readAsViewer(caller, patientId, () => this.repo.dashboard(caller.orgId, patientId), 'existing');
  }

  private withOverdue(incident: StoredIncident): Incident {
    return { ...incident, overdue: isOverdue(incident, this.clock.now()) };
  }
}
