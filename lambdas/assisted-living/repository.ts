import type { IncidentStatus, PatientDashboard } from '../../schemas/assisted-living.js';
import type { Db, Item, Page, TransactParts, PageRequest } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { PatientEntity } from '../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { update, versionedUpdate } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { NotFoundError, VersionConflictError } from '../shared/errors.js';
import { DashboardEntity, IncidentEntity, type StoredIncident } from './entities.js';

export type { StoredIncident } from './entities.js';

/** Counter attribute of each status on the dashboard item. */
const STATUS_COUNTER: Record<IncidentStatus, string> = { open: 'openCount', investigating: 'investigatingCount', resolved: 'resolvedCount' };

/**
 * Incidents and the per-resident dashboard in the single table; the only assisted-living code that
 * knows keys. Access patterns (docs/data-model.md, "Assisted living"):
 * - a patient's incidents, newest first: Query `ORG#o#PAT#p`, `begins_with(SK, INC#)`, reverse
 *   (by status: the same Query with a filter on `status`, see listForPatient)
 * - the org's incidents by status: Query GSI1 `ORG#o#INC#<status>`, reverse
 * - every incident of the org: Query GSI2 `ORG#o#INC`, reverse
 * - dashboard: GetItem `ORG#o#PAT#p / DASHBOARD` + the newest incident (Query, Limit 1)
 *
 * Every incident write carries the dashboard's atomic ADDs in the same transaction, so the counters
 * can never disagree with the incidents, however many writes run at once.
 */
export class AssistedLivingRepository {
  private readonly idempotency: Idempotency;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  /** The incident, on condition that the patient exists, with the dashboard's counters (+ idempotency record). */
  async create(ctx: WriteContext, incident: StoredIncident, idem: IdempotencyRequest | undefined): Promise<StoredIncident> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = incident;
    const parts = {
      patientExists: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, incident.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      incident: this.db.put(
        IncidentEntity.newItem(
          {
            ...IncidentEntity.key(ctx.orgId, incident.patientId, id),
            ...IncidentEntity.byStatus(ctx.orgId, incident.status, incident.occurredAt, id),
            ...IncidentEntity.inOrg(ctx.orgId, incident.occurredAt, id),
          },
          { id, ...fields },
          ctx,
        ),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      dashboard: this.db.update(this.dashboardAdd(ctx, incident.patientId, { incidentCount: 1, openIncidentCount: 1, [STATUS_COUNTER.open]: 1 })),
    };
    try {
      return await this.idempotency.run(ctx, idem, parts, incident);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('patientExists')) throw new NotFoundError('Patient not found');
      throw err;
    }
  }

  async get(orgId: string, patientId: string, id: string, consistent = false): Promise<StoredIncident | undefined> {
    const item = await this.db.get(IncidentEntity.key(orgId, patientId, id), consistent);
    return item ? IncidentEntity.fromItem(item) : undefined;
  }

  /**
   * Applies `changes` on condition of `expectedVersion`; a status change moves the incident in the
   * org's status queue and the dashboard's counters in the same transaction. `auditAction` names the
   * audit verb (`investigate`, `resolve`), and is removed on a plain update so it never goes stale.
   */
  async update(
    ctx: WriteContext,
    current: StoredIncident,
    changes: Partial<StoredIncident>,
    expectedVersion: number,
    auditAction: string | null,
  ): Promise<StoredIncident> {
    const fields: Item = { ...changes, auditAction };
    const to = changes.status;
    const moves = !!to && to !== current.status;
    if (moves) Object.assign(fields, IncidentEntity.byStatus(ctx.orgId, to, current.occurredAt, current.id));
    const parts: TransactParts = {
      incident: this.db.update({ Key: IncidentEntity.key(ctx.orgId, current.patientId, current.id), ...versionedUpdate(fields, ctx, expectedVersion) }),
    };
    if (moves) {
      parts.dashboard = this.db.update(
        this.dashboardAdd(ctx, current.patientId, {
          [STATUS_COUNTER[current.status]]: -1,
          [STATUS_COUNTER[to]]: 1,
          ...(to === 'resolved' ? { openIncidentCount: -1 } : {}),
        }),
      );
    }
    try {
      await this.db.transact(parts);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('incident')) throw new VersionConflictError();
      throw err;
    }
    return { ...current, ...changes, version: current.version + 1, updatedAt: ctx.now };
  }

  /**
   * The report deadline passed with the incident unresolved: records `overdueNotifiedAt` once, on
   * condition that the incident is not resolved and was never marked (a replayed or retried fire
   * changes nothing, and a resolve that won the race stops it). The write is audited as
   * `report_overdue` with the scheduler as actor, and its stream record becomes
   * `IncidentReportOverdue` (events.ts). It stamps the actor like every write but does not bump
   * `version`: the mark is bookkeeping the API does not show, and a client's PATCH carrying the
   * version it read must not turn into a 409 because a deadline passed. Answers whether it marked.
   */
  async markReportOverdue(ctx: WriteContext, incident: Pick<StoredIncident, 'patientId' | 'id'>): Promise<boolean> {
    const spec = update()
      .exists()
      .where('#status <> :resolved AND attribute_not_exists(#overdue)', { '#status': 'status', '#overdue': 'overdueNotifiedAt' }, { ':resolved': 'resolved' })
      .set({ overdueNotifiedAt: ctx.now, auditAction: 'report_overdue' })
      .stamp(ctx)
      .build();
    try {
      await this.db.transact({ incident: this.db.update({ Key: IncidentEntity.key(ctx.orgId, incident.patientId, incident.id), ...spec }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('incident')) return false;
      throw err;
    }
  }

  /**
   * A patient's incidents, newest `occurredAt` first; with `status`, one Query of the patient's
   * partition filtered on status. Why a filter and not an index: the partition holds one resident's
   * incidents only (tens over a stay, not the org's thousands), `Limit` caps what one request reads
   * at the page size whatever the filter drops, and a third GSI for this would cost a write on every
   * incident change. A filtered page may hold fewer than `limit` items; `nextCursor` continues it.
   */
  async listForPatient(orgId: string, patientId: string, status: IncidentStatus | undefined, page: PageRequest): Promise<Page<StoredIncident>> {
    const pk = IncidentEntity.patientPartition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': IncidentEntity.prefix, ...(status ? { ':status': status } : {}) },
        ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(IncidentEntity.fromItem), nextCursor: out.nextCursor };
  }

  /** The org's incidents, newest first: by status from GSI1, all from GSI2. */
  async listForOrg(orgId: string, status: IncidentStatus | undefined, page: PageRequest): Promise<Page<StoredIncident>> {
    const [index, attribute, pk] = status
      ? (['GSI1', 'GSI1PK', IncidentEntity.statusPartition(orgId, status)] as const)
      : (['GSI2', 'GSI2PK', IncidentEntity.orgPartition(orgId)] as const);
    const out = await this.db.queryPage<Item>(
      { IndexName: index, KeyConditionExpression: `${attribute} = :pk`, ExpressionAttributeValues: { ':pk': pk }, ScanIndexForward: false },
      page,
      { attribute, value: pk },
    );
    return { items: out.items.map(IncidentEntity.fromItem), nextCursor: out.nextCursor };
  }

  /**
   * The dashboard: counters from the dashboard item (kept in every incident's transaction) and
   * `lastIncidentAt` from the newest incident itself (Query, Limit 1). Deriving the latter at read
   * time keeps it exact without a conditional "only if later" write, which would cancel the
   * incident's transaction whenever an older incident is reported after a newer one.
   */
  async dashboard(orgId: string, patientId: string): Promise<PatientDashboard> {
    const [counters, newest] = await Promise.all([
      this.db.get(DashboardEntity.key(orgId, patientId), true),
      this.db.queryPage<Item>(
        {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
          ExpressionAttributeValues: { ':pk': IncidentEntity.patientPartition(orgId, patientId), ':prefix': IncidentEntity.prefix },
          ScanIndexForward: false,
          ConsistentRead: true,
        },
        { limit: 1 },
        { attribute: 'PK', value: IncidentEntity.patientPartition(orgId, patientId) },
      ),
    ]);
    const n = (name: string) => (typeof counters?.[name] === 'number' ? counters[name] : 0);
    return {
      patientId,
      statusOverview: { open: n('openCount'), investigating: n('investigatingCount'), resolved: n('resolvedCount') },
      incidentCount: n('incidentCount'),
      openIncidentCount: n('openIncidentCount'),
      lastIncidentAt: typeof newest.items[0]?.occurredAt === 'string' ? newest.items[0].occurredAt : null,
    };
  }

  /** Atomic ADDs on the dashboard item (created by the first one), stamped like any write. */
  private dashboardAdd(ctx: WriteContext, patientId: string, deltas: Record<string, number>) {
    return {
      Key: DashboardEntity.key(ctx.orgId, patientId),
      ...update()
        .stamp(ctx)
        .set({ entityType: DashboardEntity.entityType, orgId: ctx.orgId, patientId, id: patientId })
        .setIfNotExists({ createdAt: ctx.now })
        .add(deltas)
        .build(),
    };
  }
}
