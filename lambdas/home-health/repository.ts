import type { AideProfile, EvvChange, ServiceLog, Supply, SupplyMovement, Visit, VisitStatus } from '../../schemas/home-health.js';
import type { User } from '../../schemas/identity.js';
import { Calendars, type CalendarChange, type CalendarWindow } from '../shared/calendar/calendar-repository.js';
import { TransactionCancelledError, type Db, type Item, type Page, type TransactItem, type TransactParts, type PageRequest } from '../shared/data/db.js';
import { Idempotency, IDEMPOTENCY_RECORD_PART, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { CareTeamMemberEntity, PatientEntity } from '../shared/data/entities.js';
import { PatientKeys } from '../shared/data/keys.js';
import { update, versioned } from '../shared/data/update-builder.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { ConflictError, VersionConflictError, type AppError } from '../shared/errors.js';
import { AideKeys, ServiceLogKeys, SupplyKeys, SupplyUsageKeys, VisitKeys } from './keys.js';


/** A visit as stored: the API's fields and the EVV bookkeeping the EVV routes show. */
export type StoredVisit = Visit & {
  /** Snapshot of the recipient's and the provider's names for the EVV record. */
  patientName: string | null;
  aideName?: string;
  /** The EVV begin and end in force (check-in/out, or visit maintenance). */
  evvBegin?: string;
  evvEnd?: string;
  evvChanges: EvvChange[];
  /** Set once by the late check (bookkeeping: no version bump). */
  lateNotifiedAt?: string;
};

/**
 * The contract's error for each of the caller's named parts whose condition failed (first match
 * wins). The one place where home health reads transaction failures is `commit` / `book` below.
 */
export type FailureMap = Partial<Record<string, () => AppError>>;

function explained(err: unknown, explain: FailureMap): AppError | undefined {
  if (!(err instanceof TransactionCancelledError)) return undefined;
  const part = Object.keys(explain).find((name) => err.failed(name));
  return part ? explain[part]!() : undefined;
}

/**
 * Aide profiles, visits (with their aide bookings), service logs and supplies in the single table;
 * the only home-health code that knows keys (docs/data-model.md, "Home health").
 */
export class HomeHealthRepository {
  private readonly idempotency: Idempotency;
  readonly calendars: Calendars;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
    this.calendars = new Calendars(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- transactions ---------------------------------------------------------------------------

  /** Runs the named parts (+ the idempotency record), mapping a failed condition through `explain`. */
  async commit<T>(ctx: WriteContext, parts: TransactParts, response: T, explain: FailureMap, idem?: IdempotencyRequest): Promise<T> {
    try {
      return await this.idempotency.run(ctx, idem, parts, response);
    } catch (err) {
      throw explained(err, explain) ?? err;
    }
  }

  /**
   * Books aide time (aide-calendar.ts) together with the named `parts(windows)` in one transaction;
   * a failed condition of our own parts goes through `explain`, a reused Idempotency-Key replays.
   */
  async book<T>(
    ctx: WriteContext,
    changes: readonly CalendarChange[],
    parts: (windows: CalendarWindow[]) => TransactParts,
    response: T,
    explain: FailureMap,
    idem?: IdempotencyRequest,
  ): Promise<T> {
    try {
      return await this.calendars.book(
        ctx,
        changes,
        (windows) => ({ ...parts(windows), ...(idem ? this.idempotency.recordPart(ctx, idem, response) : {}) }),
        () => response,
      );
    } catch (err) {
      if (idem && err instanceof TransactionCancelledError && err.failed(IDEMPOTENCY_RECORD_PART)) {
        const earlier = await this.idempotency.replay(ctx, idem);
        if (earlier) return earlier.response as T;
      }
      throw explained(err, explain) ?? err;
    }
  }

  // ---- aide profiles --------------------------------------------------------------------------

  async getAide(orgId: string, userId: string, consistent = false): Promise<AideProfile | undefined> {
    const item = await this.db.get(AideKeys.key(orgId, userId), consistent);
    return item ? toAide(item) : undefined;
  }

  /** Creates or replaces the profile (version continues from the stored one, on its condition). */
  async putAide(ctx: WriteContext, profile: AideProfile, previous: AideProfile | undefined): Promise<AideProfile> {
    const { version, createdAt, updatedAt: _u, ...fields } = profile;
    const item = {
      ...newItem({ ...AideKeys.key(ctx.orgId, profile.userId), ...AideKeys.inOrg(ctx.orgId, profile.userId) }, 'AideProfile', { ...fields, id: profile.userId }, ctx),
      version,
      createdAt,
    };
    const condition = previous
      ? { ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': previous.version } }
      : { ConditionExpression: 'attribute_not_exists(PK)' };
    return this.commit(ctx, { aide: this.db.put(item, condition) }, profile, { aide: () => new VersionConflictError('The aide profile changed meanwhile; try again') });
  }

  async setAideAvailability(ctx: WriteContext, aide: AideProfile, changes: Pick<AideProfile, 'status' | 'until'>): Promise<AideProfile> {
    const item = this.db.update({ Key: AideKeys.key(ctx.orgId, aide.userId), ...versioned(ctx, aide.version).set({ status: changes.status, until: changes.until ?? null }).build() });
    const { until: _old, ...rest } = aide;
    const next = { ...rest, status: changes.status, ...(changes.until ? { until: changes.until } : {}), version: aide.version + 1, updatedAt: ctx.now };
    return this.commit(ctx, { aide: item }, next, { aide: () => new VersionConflictError('The aide profile changed meanwhile; try again') });
  }

  /** A page of the org's aides (GSI1), optionally only those with a skill (filter on the page). */
  async listAides(orgId: string, skill: string | undefined, page: PageRequest): Promise<Page<AideProfile>> {
    const pk = AideKeys.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(skill ? { ':skill': skill } : {}) },
        ...(skill ? { FilterExpression: 'contains(skills, :skill)' } : {}),
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map(toAide), nextCursor: out.nextCursor };
  }

  /** Every aide of the org with all of `skills` (one Query of GSI1, filtered by DynamoDB). */
  async aidesWithSkills(orgId: string, skills: readonly string[]): Promise<AideProfile[]> {
    const values: Record<string, unknown> = { ':pk': AideKeys.orgPartition(orgId) };
    skills.forEach((s, i) => (values[`:s${i}`] = s));
    const items = await this.db.queryAll<Item>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: values,
      ...(skills.length ? { FilterExpression: skills.map((_, i) => `contains(skills, :s${i})`).join(' AND ') } : {}),
    });
    return items.map(toAide);
  }

  // ---- visits ---------------------------------------------------------------------------------

  async getVisit(orgId: string, patientId: string, visitId: string, consistent = true): Promise<StoredVisit | undefined> {
    const item = await this.db.get(VisitKeys.key(orgId, patientId, visitId), consistent);
    return item ? toVisit(item) : undefined;
  }

  /** The new visit's put, on condition that it is new. */
  newVisitItem(ctx: WriteContext, visit: StoredVisit): TransactItem {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = visit;
    return this.db.put(
      newItem(
        {
          ...VisitKeys.key(ctx.orgId, visit.patientId, visit.id),
          ...VisitKeys.onDay(ctx.orgId, visit.localDate, visit.scheduledStart, visit.id),
          ...VisitKeys.ofPatient(ctx.orgId, visit.patientId, visit.scheduledStart, visit.id),
        },
        'Visit',
        fields,
        ctx,
      ),
      { ConditionExpression: 'attribute_not_exists(PK)' },
    );
  }

  /** A change of a visit on condition of the version read (absent values are removed). */
  visitUpdateItem(ctx: WriteContext, visit: StoredVisit, changes: Item): TransactItem {
    return this.db.update({ Key: VisitKeys.key(ctx.orgId, visit.patientId, visit.id), ...versioned(ctx, visit.version).set(changes).build() });
  }

  /** The patient must exist (first item of a visit's creation). */
  patientExistsCheck(orgId: string, patientId: string): TransactItem {
    return this.db.conditionCheck({ Key: PatientEntity.key(orgId, patientId), ConditionExpression: 'attribute_exists(PK)' });
  }

  /** Whether the user is on the patient's care team now (consistent). */
  async isOnCareTeam(orgId: string, patientId: string, userId: string): Promise<boolean> {
    const item = await this.db.get(CareTeamMemberEntity.key(orgId, patientId, userId), true);
    return !!item && item.deleting !== true;
  }

  /**
   * Puts the aide on the care team as `aide` (the same item identity's care-team route writes), on
   * condition that they are still not on it: added in the assignment's own transaction.
   */
  careTeamJoinItem(ctx: WriteContext, patientId: string, aide: Pick<User, 'userId' | 'displayName' | 'email' | 'role'>): TransactItem {
    const key = CareTeamMemberEntity.key(ctx.orgId, patientId, aide.userId);
    return this.db.put(
      CareTeamMemberEntity.newItem({ ...key, ...CareTeamMemberEntity.byUser(ctx.orgId, aide.userId, patientId) }, {
        id: aide.userId,
        patientId,
        userId: aide.userId,
        relationship: 'aide',
        displayName: aide.displayName,
        email: aide.email,
        role: aide.role,
        addedAt: ctx.now,
        addedBy: ctx.actorId,
      }, ctx),
      { ConditionExpression: 'attribute_not_exists(PK) OR deleting = :true', ExpressionAttributeValues: { ':true': true } },
    );
  }

  /** A patient's visits by scheduled start in [from, to), soonest first (GSI2). */
  async listPatientVisits(orgId: string, patientId: string, from: string | undefined, to: string | undefined, page: PageRequest): Promise<Page<StoredVisit>> {
    const pk = VisitKeys.patientPartition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': from ? new Date(from).toISOString() : '0', ':to': to ? new Date(to).toISOString() : '~' },
      },
      page,
      { attribute: 'GSI2PK', value: pk },
    );
    return { items: out.items.map(toVisit), nextCursor: out.nextCursor };
  }

  /** The org's visits of one local day, soonest first (GSI1), optionally of one status. */
  async listDayVisits(orgId: string, localDate: string, status: VisitStatus | undefined, page: PageRequest): Promise<Page<StoredVisit>> {
    const pk = VisitKeys.dayPartition(orgId, localDate);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(status ? { ':status': status } : {}) },
        ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map(toVisit), nextCursor: out.nextCursor };
  }

  /** Every visit of some local days (the EVV export: one Query per day, at most 31). */
  async visitsOnDays(orgId: string, dates: readonly string[]): Promise<StoredVisit[]> {
    const days = await Promise.all(
      dates.map((d) =>
        this.db.queryAll<Item>({ IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': VisitKeys.dayPartition(orgId, d) } }, 10_000),
      ),
    );
    return days.flat().map(toVisit);
  }

  /**
   * The late check: records `lateNotifiedAt` once, while the visit is still assigned for that start
   * and never checked in (a replay, a check-in or a move that won the race changes nothing). No
   * version bump: bookkeeping a client's next change must not trip over.
   */
  async markLate(ctx: WriteContext, visit: StoredVisit): Promise<boolean> {
    return this.conditional(ctx, visit, { lateNotifiedAt: ctx.now, auditAction: 'visit_late' }, false);
  }

  /** The missed check: `assigned` -> `missed`, once, for that scheduled end. */
  async markMissed(ctx: WriteContext, visit: StoredVisit): Promise<boolean> {
    return this.conditional(ctx, visit, { status: 'missed', auditAction: 'visit_missed' }, true);
  }

  private async conditional(ctx: WriteContext, visit: StoredVisit, fields: Item, bump: boolean): Promise<boolean> {
    const spec = update()
      .stamp(ctx)
      .set(fields)
      .compare('status', '=', 'assigned')
      .compare('scheduledStart', '=', visit.scheduledStart)
      .compare('scheduledEnd', '=', visit.scheduledEnd)
      .compare('aideId', '=', visit.aideId);
    if (bump) spec.version();
    if (fields.lateNotifiedAt !== undefined) spec.absent('lateNotifiedAt');
    try {
      await this.db.transact({ visit: this.db.update({ Key: VisitKeys.key(ctx.orgId, visit.patientId, visit.id), ...spec.build() }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('visit')) return false;
      throw err;
    }
  }

  // ---- service logs ---------------------------------------------------------------------------

  serviceLogItem(ctx: WriteContext, log: ServiceLog): TransactItem {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = log;
    return this.db.put(newItem(ServiceLogKeys.key(ctx.orgId, log.patientId, log.visitId, log.id), 'ServiceLog', fields, ctx), {
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  }

  /** The visit is still assigned to the writer and in one of `statuses` (a guard of the log's or usage's transaction). */
  visitGuard(orgId: string, visit: StoredVisit, statuses: readonly VisitStatus[]): TransactItem {
    const values: Record<string, unknown> = { ':aide': visit.aideId ?? '' };
    statuses.forEach((s, i) => (values[`:s${i}`] = s));
    return this.db.conditionCheck({
      Key: VisitKeys.key(orgId, visit.patientId, visit.id),
      ConditionExpression: `aideId = :aide AND #status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  async listLogs(orgId: string, patientId: string, visitId: string, page: PageRequest): Promise<Page<ServiceLog>> {
    return this.visitChildren(orgId, patientId, ServiceLogKeys.prefix(visitId), page, toLog);
  }

  // ---- supplies -------------------------------------------------------------------------------

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
    return this.commit(ctx, parts, supply, { sku: () => new ConflictError('A supply with this SKU exists', [{ path: 'body.sku', message: 'already in use' }]) }, idem);
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

  /**
   * Moves stock by `delta` as one conditional ADD: a decrement only while at least that much is in
   * stock, so parallel uses never take it below zero, whatever their order. Stamped and versioned
   * like every write, so the stream names the actor and the crossing of the reorder level.
   */
  stockMoveItem(ctx: WriteContext, supplyId: string, delta: number): TransactItem {
    const spec = update().exists().version().stamp(ctx).add({ quantity: delta });
    if (delta < 0) spec.compare('quantity', '>=', -delta);
    return this.db.update({ Key: SupplyKeys.key(ctx.orgId, supplyId), ...spec.build() });
  }

  adjustmentItem(ctx: WriteContext, move: SupplyMovement): TransactItem {
    return this.db.put(newItem(SupplyKeys.adjustment(ctx.orgId, move.supplyId, move.id), 'SupplyAdjustment', { ...move }, ctx), {
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  }

  usageItem(ctx: WriteContext, move: SupplyMovement & { patientId: string; visitId: string }): TransactItem {
    return this.db.put(newItem(SupplyUsageKeys.key(ctx.orgId, move.patientId, move.visitId, move.id), 'SupplyUsage', { ...move }, ctx), {
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  }

  async listVisitSupplies(orgId: string, patientId: string, visitId: string, page: PageRequest): Promise<Page<SupplyMovement>> {
    return this.visitChildren(orgId, patientId, SupplyUsageKeys.prefix(visitId), page, toMovement);
  }

  private async visitChildren<T>(orgId: string, patientId: string, prefix: string, page: PageRequest, map: (i: Item) => T): Promise<Page<T>> {
    const pk = PatientKeys.partition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix } },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(map), nextCursor: out.nextCursor };
  }
}


const pick = (item: Item, fields: readonly string[]): Item => Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));

const AIDE_FIELDS = ['userId', 'displayName', 'skills', 'languages', 'homeBase', 'serviceRadiusKm', 'availability', 'timezone', 'status', 'until', 'version', 'createdAt', 'updatedAt'];
const toAide = (item: Item): AideProfile => ({ ...(pick(item, AIDE_FIELDS) as AideProfile), id: String(item.userId) });

const VISIT_FIELDS = [
  'id', 'version', 'createdAt', 'updatedAt', 'patientId', 'serviceType', 'scheduledStart', 'scheduledEnd', 'timezone', 'localDate', 'location',
  'tasks', 'requiredSkills', 'status', 'aideId', 'checkIn', 'checkOut', 'exceptions', 'cancelReason',
  'patientName', 'aideName', 'evvBegin', 'evvEnd', 'evvChanges', 'lateNotifiedAt',
];
const toVisit = (item: Item): StoredVisit => {
  const v = pick(item, VISIT_FIELDS) as StoredVisit;
  return { ...v, exceptions: v.exceptions ?? [], evvChanges: v.evvChanges ?? [], patientName: v.patientName ?? null };
};

/** The visit as the API shows it (the EVV bookkeeping is the EVV routes'). */
export function publicVisit(v: StoredVisit): Visit {
  const { patientName: _p, aideName: _a, evvBegin: _b, evvEnd: _e, evvChanges: _c, lateNotifiedAt: _l, ...visit } = v;
  return visit;
}

const toLog = (item: Item): ServiceLog =>
  ({ ...pick(item, ['id', 'version', 'createdAt', 'updatedAt', 'patientId', 'visitId', 'description', 'serviceMinutes', 'authorId']), tasksCompleted: item.tasksCompleted ?? [] }) as ServiceLog;

const toSupply = (item: Item): Supply => pick(item, ['id', 'version', 'createdAt', 'updatedAt', 'name', 'sku', 'unit', 'quantity', 'reorderLevel']) as Supply;

const toMovement = (item: Item): SupplyMovement => pick(item, ['id', 'supplyId', 'delta', 'reason', 'visitId', 'patientId', 'by', 'at']) as SupplyMovement;
