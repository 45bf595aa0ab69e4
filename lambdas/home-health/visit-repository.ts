import type { EvvChange, Visit, VisitStatus } from '../../schemas/home-health.js';
import type { CalendarChange } from '../shared/calendar/calendar-repository.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Item, Page, PageRequest, TransactItem, TransactParts } from '../shared/data/db.js';
import { TransactionCancelledError, type FailureMap } from '../shared/data/transaction-failures.js';
import { PatientEntity } from '../shared/data/entities.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import { PatientKeys } from '../shared/data/keys.js';
import { update, versioned } from '../shared/data/update-builder.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { NotFoundError, VersionConflictError, type AppError } from '../shared/errors.js';
import { CareTeamWrites, type CareTeamJoin, type MemberProfile } from '../shared/people/care-team.js';
import { VisitKeys } from './keys.js';
import { pick, Transactions } from './transactions.js';

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

/** An aide booking that goes with a visit's write: the calendar changes, and the aide who joins the care team. */
export interface VisitBooking {
  changes: readonly CalendarChange[];
  /** The aide the visit is assigned to: put on the patient's care team unless on it already. */
  aide?: MemberProfile;
}

const patientGone = () => new NotFoundError('Patient not found');
const changedMeanwhile = () => new VersionConflictError('The visit changed meanwhile; fetch it again');

/**
 * Visits with their EVV bookkeeping and their aide bookings in the single table (docs/data-model.md,
 * "Home health"). Each write is one transaction of named parts: the visit, the patient's existence,
 * the aide's calendar days (`Transactions.book`), the aide's care-team link (`CareTeamWrites`, which
 * retries a raced link), the idempotency record; a failed part is the contract's error here.
 */
export class VisitRepository {
  private readonly tx: Transactions;
  private readonly careTeam: CareTeamWrites;

  constructor(private readonly db: Db) {
    this.tx = new Transactions(db);
    this.careTeam = new CareTeamWrites(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.tx.replay(ctx, idem);
  }

  async getVisit(orgId: string, patientId: string, visitId: string, consistent = true): Promise<StoredVisit | undefined> {
    const item = await this.db.get(VisitKeys.key(orgId, patientId, visitId), consistent);
    return item ? toVisit(item) : undefined;
  }

  /**
   * A new visit, on condition that its patient exists; with `booking`, the aide's time and (when not
   * on it) the aide's care-team link in the same transaction. Answers `response`, or the first
   * request's for a reused Idempotency-Key.
   */
  async create(ctx: WriteContext, visit: StoredVisit, response: Visit, booking: VisitBooking | undefined, idem?: IdempotencyRequest): Promise<Visit> {
    const parts = (join: CareTeamJoin): TransactParts => ({
      patientExists: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, visit.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      visit: this.newVisitItem(ctx, visit),
      ...join,
    });
    const explain: FailureMap = { patientExists: patientGone };
    if (!booking) return this.tx.commit(ctx, parts({}), response, explain, idem);
    return this.withJoin(ctx, visit.patientId, booking, (join) => this.tx.book(ctx, booking.changes, () => parts(join), response, explain, idem));
  }

  /**
   * A change of the visit on condition of the version read (absent values are removed); with
   * `booking`, the calendar changes (and the assigned aide's care-team link) in the same transaction.
   * A visit changed meanwhile is `conflict` (default: "fetch it again").
   */
  async update(ctx: WriteContext, visit: StoredVisit, fields: Item, next: StoredVisit, booking?: VisitBooking, conflict: () => AppError = changedMeanwhile): Promise<StoredVisit> {
    const parts = (join: CareTeamJoin): TransactParts => ({
      visit: this.db.update({ Key: VisitKeys.key(ctx.orgId, visit.patientId, visit.id), ...versioned(ctx, visit.version).set(fields).build() }),
      ...join,
    });
    const explain: FailureMap = { visit: conflict };
    if (!booking) return this.tx.commit(ctx, parts({}), next, explain);
    return this.withJoin(ctx, visit.patientId, booking, (join) => this.tx.book(ctx, booking.changes, () => parts(join), next, explain));
  }

  /** A read of EVV records (one visit's, or an org's export), for the audit trail. */
  recordEvvRead(ctx: WriteContext, entityId: string, patientId?: string): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'read', entityType: 'EvvRecord', entityId, ...(patientId ? { patientId } : {}) });
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

  /** The new visit's put, on condition that it is new. */
  private newVisitItem(ctx: WriteContext, visit: StoredVisit): TransactItem {
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

  /** Runs `write` with the aide's care-team link when the booking brings an aide (the one retry shape of `CareTeamWrites`). */
  private withJoin<T>(ctx: WriteContext, patientId: string, booking: VisitBooking, write: (join: CareTeamJoin) => Promise<T>): Promise<T> {
    if (!booking.aide) return write({});
    return this.careTeam.write(ctx, { patientId, member: booking.aide, relationship: 'aide', mode: 'join' }, (join) => write(join));
  }
}

/**
 * The visit is still assigned to the writer and in one of `statuses`: the guard a service log's or a
 * supply use's transaction carries (service-log-repository.ts, supply-repository.ts).
 */
export function visitGuard(db: Db, orgId: string, visit: StoredVisit, statuses: readonly VisitStatus[]): TransactItem {
  const values: Record<string, unknown> = { ':aide': visit.aideId ?? '' };
  statuses.forEach((s, i) => (values[`:s${i}`] = s));
  return db.conditionCheck({
    Key: VisitKeys.key(orgId, visit.patientId, visit.id),
    ConditionExpression: `aideId = :aide AND #status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: values,
  });
}

/** A page of a visit's child items (its service logs, its supply uses), oldest first, in the patient's partition. */
export async function visitChildren<T>(db: Db, orgId: string, patientId: string, prefix: string, page: PageRequest, map: (i: Item) => T): Promise<Page<T>> {
  const pk = PatientKeys.partition(orgId, patientId);
  const out = await db.queryPage<Item>(
    { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix } },
    page,
    { attribute: 'PK', value: pk },
  );
  return { items: out.items.map(map), nextCursor: out.nextCursor };
}

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
