import type { RespiteOffer, RespiteSession, RespiteStatus } from '../../../schemas/respite.js';
import type { EvvCheck, EvvException } from '../../../schemas/visits.js';
import { Calendars, type CalendarChange } from '../../shared/calendar/calendar-repository.js';
import type { Db, Item, Page, TransactItem, TransactParts, PageRequest } from '../../shared/data/db.js';
import { recordAccess } from '../../shared/data/access-record.js';
import { PatientEntity } from '../../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../../shared/data/idempotency.js';
import { failedPart, mapFailures } from '../../shared/data/transaction-failures.js';
import { update, versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { BudgetExceededError, budgetMove } from '../budget.js';
import { RespiteBudgetEntity, RespiteOfferEntity, RespiteReminderEntity, RespiteSessionEntity } from '../entities.js';

/** The patient still exists: a condition part of the writes that need it. */
export function patientExists(db: Db, orgId: string, patientId: string): TransactItem {
  return db.conditionCheck({ Key: PatientEntity.key(orgId, patientId), ConditionExpression: 'attribute_exists(PK)' });
}

/**
 * Respite sessions in the single table (docs/data-model.md, "Respite"):
 * - a session with its offers: Query `ORG#o#PAT#p`, `begins_with(SK, RESPITE#<id>)`
 * - a patient's sessions, soonest first: Query GSI2 `ORG#o#PAT#p#RESPITE`
 * - the org's queue by status, soonest first: Query GSI1 `ORG#o#RESPITE#<status>`
 * A session's hours move on its budget (budget.ts) in the same transaction as its status.
 */
export class SessionRepository {
  private readonly idempotency: Idempotency;
  private readonly calendars: Calendars;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
    this.calendars = new Calendars(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  /**
   * The requested session, on condition that the patient exists and that the year's budget still
   * has at least its hours remaining (one ConditionCheck: nothing is reserved before confirmation).
   */
  async createSession(ctx: WriteContext, session: RespiteSession, idem: IdempotencyRequest | undefined): Promise<RespiteSession> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, aideId: _a, ...fields } = session;
    const parts = {
      patientExists: patientExists(this.db, ctx.orgId, session.patientId),
      budget: this.db.conditionCheck({
        Key: RespiteBudgetEntity.key(ctx.orgId, session.patientId, session.budgetYear),
        ConditionExpression: 'remainingHours >= :hours',
        ExpressionAttributeValues: { ':hours': session.hours },
      }),
      session: this.db.put(
        RespiteSessionEntity.newItem(
          {
            ...RespiteSessionEntity.key(ctx.orgId, session.patientId, id),
            ...RespiteSessionEntity.byStatus(ctx.orgId, session.status, session.startAt, id),
            ...RespiteSessionEntity.byPatient(ctx.orgId, session.patientId, session.startAt, id),
          },
          { id, ...fields },
          ctx,
        ),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
    };
    return mapFailures({ patientExists: () => new NotFoundError('Patient not found'), budget: () => new BudgetExceededError() }, () =>
      this.idempotency.run(ctx, idem, parts, session),
    );
  }

  async getSession(orgId: string, patientId: string, id: string): Promise<RespiteSession | undefined> {
    const item = await this.db.get(RespiteSessionEntity.key(orgId, patientId, id), true);
    return item ? RespiteSessionEntity.fromItem(item) : undefined;
  }

  /** The session and its offers, in one consistent Query of the session's prefix. */
  async getSessionWithOffers(orgId: string, patientId: string, id: string): Promise<{ session: RespiteSession; offers: RespiteOffer[] } | undefined> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': RespiteSessionEntity.patientPartition(orgId, patientId), ':prefix': RespiteSessionEntity.withChildren(id) },
      ConsistentRead: true,
    });
    const own = items.find((i) => i.entityType === RespiteSessionEntity.entityType && i.id === id);
    if (!own) return undefined;
    const offers = items.filter((i) => i.entityType === RespiteOfferEntity.entityType).map(RespiteOfferEntity.fromItem);
    offers.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.offerId.localeCompare(b.offerId));
    return { session: RespiteSessionEntity.fromItem(own), offers };
  }

  /**
   * A patient's sessions, soonest start first (GSI2); by status, the same Query filtered: one
   * family's sessions are tens a year, and `Limit` bounds what one request reads whatever the filter
   * drops (a page may hold fewer than `limit` items, with a `nextCursor`).
   */
  async listForPatient(orgId: string, patientId: string, status: RespiteStatus | undefined, page: PageRequest): Promise<Page<RespiteSession>> {
    const pk = RespiteSessionEntity.patientIndexPartition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(status ? { ':status': status } : {}) },
        ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
      },
      page,
      { attribute: 'GSI2PK', value: pk },
    );
    return { items: out.items.map(RespiteSessionEntity.fromItem), nextCursor: out.nextCursor };
  }

  /** The org's sessions in one status, soonest start first (GSI1): the staff queue. */
  async listByStatus(orgId: string, status: RespiteStatus, page: PageRequest): Promise<Page<RespiteSession>> {
    const pk = RespiteSessionEntity.statusPartition(orgId, status);
    const out = await this.db.queryPage<Item>(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': pk } },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map(RespiteSessionEntity.fromItem), nextCursor: out.nextCursor };
  }

  // ---- session changes ---------------------------------------------------------------------

  /**
   * Cancels before the start: the session (on condition of the status read), the hours released or
   * consumed, and with `change` the aide's time freed in the same calendar booking.
   */
  async cancel(ctx: WriteContext, session: RespiteSession, effect: 'released' | 'consumed' | 'none', reason: string, change: CalendarChange | undefined): Promise<void> {
    await mapFailures({ session: () => new ConflictError('The session changed at the same time; fetch it again') }, async () => {
      if (change) await this.calendars.book(ctx, [change], () => this.cancelParts(ctx, session, effect, reason), () => undefined);
      else await this.db.transact(this.cancelParts(ctx, session, effect, reason));
    });
  }

  private cancelParts(ctx: WriteContext, session: RespiteSession, effect: 'released' | 'consumed' | 'none', reason: string): TransactParts {
    const parts: TransactParts = {
      session: this.db.update({
        Key: RespiteSessionEntity.key(ctx.orgId, session.patientId, session.id),
        ...versioned(ctx)
          .compare('status', '=', session.status)
          .set({
            status: 'cancelled', cancelledAt: ctx.now, cancelledBy: ctx.actorId, cancelReason: reason, cancellation: effect, auditAction: 'cancel',
            ...RespiteSessionEntity.byStatus(ctx.orgId, 'cancelled', session.startAt, session.id),
          })
          .build(),
      }),
    };
    if (effect === 'released') parts.budget = this.db.update(budgetMove(ctx, session, { reservedHours: -session.hours, remainingHours: session.hours }));
    if (effect === 'consumed') parts.budget = this.db.update(budgetMove(ctx, session, { reservedHours: -session.hours, usedHours: session.hours }));
    return parts;
  }

  /** `confirmed -> in_progress` by its aide, with the check as recorded (and its exception, if any). */
  async checkIn(ctx: WriteContext, session: RespiteSession, check: EvvCheck, exceptions: EvvException[]): Promise<void> {
    const spec = versioned(ctx)
      .compare('status', '=', 'confirmed')
      .compare('aideId', '=', ctx.actorId)
      .set({ status: 'in_progress', checkIn: check, exceptions, auditAction: 'check_in', ...RespiteSessionEntity.byStatus(ctx.orgId, 'in_progress', session.startAt, session.id) })
      .build();
    await this.transition(ctx, session, { session: this.db.update({ Key: RespiteSessionEntity.key(ctx.orgId, session.patientId, session.id), ...spec }) });
  }

  /** `in_progress -> completed` by its aide; the hours move from reserved to used in the same transaction. */
  async checkOut(ctx: WriteContext, session: RespiteSession, check: EvvCheck, exceptions: EvvException[]): Promise<void> {
    const spec = versioned(ctx)
      .compare('status', '=', 'in_progress')
      .compare('aideId', '=', ctx.actorId)
      .set({ status: 'completed', checkOut: check, exceptions, auditAction: 'check_out', ...RespiteSessionEntity.byStatus(ctx.orgId, 'completed', session.startAt, session.id) })
      .build();
    await this.transition(ctx, session, {
      session: this.db.update({ Key: RespiteSessionEntity.key(ctx.orgId, session.patientId, session.id), ...spec }),
      budget: this.db.update(budgetMove(ctx, session, { reservedHours: -session.hours, usedHours: session.hours })),
    });
  }

  /**
   * Not checked in 15 minutes after start: `lateNotifiedAt`, once, while still `confirmed` (a
   * replayed fire, a check-in or a cancellation first changes nothing). Bookkeeping the API does not
   * show: no version bump. Its stream record is the event `RespiteSessionLate`.
   */
  async markLate(ctx: WriteContext, session: Pick<RespiteSession, 'patientId' | 'id'>): Promise<boolean> {
    const spec = update()
      .exists()
      .compare('status', '=', 'confirmed')
      .absent('lateNotifiedAt')
      .set({ lateNotifiedAt: ctx.now, auditAction: 'late' })
      .stamp(ctx)
      .build();
    try {
      await this.db.transact({ session: this.db.update({ Key: RespiteSessionEntity.key(ctx.orgId, session.patientId, session.id), ...spec }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['session'])) return false;
      throw err;
    }
  }

  /** A notice of a confirmed session, once per (session, which): its INSERT is `RespiteReminder`. */
  async putReminder(ctx: WriteContext, session: RespiteSession, which: string, recipientIds: readonly string[]): Promise<boolean> {
    const item = RespiteReminderEntity.newItem(
      RespiteReminderEntity.key(ctx.orgId, session.patientId, session.id, which),
      { id: `${session.id}-${which}`, sessionId: session.id, patientId: session.patientId, which, startAt: session.startAt, recipientIds: [...recipientIds] },
      ctx,
    );
    try {
      await this.db.transact({ reminder: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['reminder'])) return false;
      throw err;
    }
  }

  /** A read of a session's EVV record, for the audit trail (an AccessRecord, like every audited read). */
  recordRead(ctx: WriteContext, session: Pick<RespiteSession, 'id' | 'patientId'>): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'read', entityType: 'RespiteEvvRecord', entityId: session.id, patientId: session.patientId });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async transition(ctx: WriteContext, session: RespiteSession, parts: TransactParts): Promise<void> {
    await mapFailures({ session: () => new ConflictError(`The session changed at the same time (it was ${session.status}); fetch it again`) }, () => this.db.transact(parts));
  }
}
