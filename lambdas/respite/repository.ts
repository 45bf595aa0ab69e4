import type { CaregiverProfile, PutCaregiverProfileBody, RespiteOffer, RespiteSession, RespiteStatus } from '../../schemas/respite.js';
import type { User } from '../../schemas/identity.js';
import type { EvvCheck, EvvException } from '../../schemas/visits.js';
import { Calendars, type CalendarChange } from '../shared/calendar/calendar-repository.js';
import type { Db, Item, Page, TransactItem, TransactParts, PageRequest } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { recordAccess } from '../shared/data/access-record.js';
import { PatientEntity } from '../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { update, versioned } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, VersionConflictError } from '../shared/errors.js';
import { CareTeamWrites, type CareTeamJoin } from '../shared/people/care-team.js';
import {
  CaregiverProfileEntity,
  RespiteBudgetEntity,
  RespiteOfferEntity,
  RespiteReminderEntity,
  RespiteSessionEntity,
  type StoredBudget,
} from './entities.js';

export type { StoredBudget } from './entities.js';

/** Thrown when the budget does not cover a session's hours (at request or at confirmation). */
export class BudgetExceededError extends ConflictError {
  constructor(message = 'The respite budget does not cover these hours') {
    super(message, [{ path: 'budget', message: 'not enough hours remain in this year' }]);
  }
}

/**
 * Respite in the single table; the only respite code that knows keys (docs/data-model.md,
 * "Respite"):
 * - caregiver profile: GetItem `ORG#o#USER#u / CAREGIVER`
 * - budget: GetItem `ORG#o#PAT#p / RESPITE_BUDGET#<year>`; its counters change only by ADDs inside
 *   the session transactions, on condition `remainingHours >= :hours` where hours are taken
 * - a session with its offers: Query `ORG#o#PAT#p`, `begins_with(SK, RESPITE#<id>)`
 * - a patient's sessions, soonest first: Query GSI2 `ORG#o#PAT#p#RESPITE`
 * - the org's queue by status, soonest first: Query GSI1 `ORG#o#RESPITE#<status>`
 * - an aide's offers, soonest first: Query GSI1 `ORG#o#USER#<aide>#RESPITE_OFFERS` + BatchGet sessions
 *
 * The budget keeps `remainingHours` beside `hoursPerYear`, `reservedHours` and `usedHours`, and
 * every write changes them by balanced ADDs (reserve: reserved +h, remaining -h; complete: reserved
 * -h, used +h; ...), so `remaining = hoursPerYear - reserved - used` always holds and a condition
 * can test it (DynamoDB conditions cannot do arithmetic).
 */
export class RespiteRepository {
  private readonly idempotency: Idempotency;

  private readonly calendars: Calendars;
  private readonly careTeam: CareTeamWrites;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
    this.calendars = new Calendars(db);
    this.careTeam = new CareTeamWrites(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- caregiver profiles ------------------------------------------------------------------

  async getCaregiverProfile(orgId: string, userId: string): Promise<CaregiverProfile | undefined> {
    const item = await this.db.get(CaregiverProfileEntity.key(orgId, userId), true);
    return item ? CaregiverProfileEntity.fromItem(item) : undefined;
  }

  /**
   * Creates or replaces the caller's profile. A PUT carries no version: it replaces whatever is
   * there, so of two at once the later wins, and each write is conditioned on the version it read
   * only so that `version` counts every replacement exactly (a lost race reads again and retries).
   */
  async putCaregiverProfile(ctx: WriteContext, body: PutCaregiverProfileBody): Promise<CaregiverProfile> {
    const key = CaregiverProfileEntity.key(ctx.orgId, ctx.actorId);
    for (let attempt = 1; ; attempt++) {
      const current = await this.db.get(key, true);
      const item = {
        ...CaregiverProfileEntity.newItem(key, { id: ctx.actorId, userId: ctx.actorId, ...body }, ctx),
        ...(current ? { version: Number(current.version) + 1, createdAt: current.createdAt } : {}),
      };
      const guard = current
        ? { ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': current.version } }
        : { ConditionExpression: 'attribute_not_exists(PK)' };
      try {
        await this.db.transact({ profile: this.db.put(item, guard) });
        return CaregiverProfileEntity.fromItem(item);
      } catch (err) {
        const raced = err instanceof TransactionCancelledError && err.failed('profile');
        if (!raced) throw err;
        if (attempt >= 10) throw new VersionConflictError('The profile changed at the same time; try again');
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  // ---- budgets -----------------------------------------------------------------------------

  async getBudget(orgId: string, patientId: string, year: number): Promise<StoredBudget | undefined> {
    const item = await this.db.get(RespiteBudgetEntity.key(orgId, patientId, year), true);
    return item ? RespiteBudgetEntity.fromItem(item) : undefined;
  }

  /**
   * Sets a year's hours. The change is an ADD of the difference to `hoursPerYear` and
   * `remainingHours` on condition that `hoursPerYear` is still what was read (so the difference is
   * right) and that the remainder stays >= 0 (not below what sessions reserved and used); a
   * confirmation racing it only moves the counters the condition does not pin, so it retries
   * rarely. Answers the stored budget.
   */
  async putBudget(ctx: WriteContext, patientId: string, year: number, hoursPerYear: number): Promise<StoredBudget> {
    const key = RespiteBudgetEntity.key(ctx.orgId, patientId, year);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.getBudget(ctx.orgId, patientId, year);
      const delta = hoursPerYear - (current?.hoursPerYear ?? 0);
      if (current && current.remainingHours + delta < 0) {
        throw new ConflictError('Sessions already reserve or use more hours than that', [
          { path: 'body.hoursPerYear', message: `at least ${current.reservedHours + current.usedHours} hours are reserved or used` },
        ]);
      }
      const builder = current
        ? versioned(ctx).compare('hoursPerYear', '=', current.hoursPerYear).compare('remainingHours', '>=', -delta)
        : update().where('attribute_not_exists(PK)').stamp(ctx).set({
            entityType: RespiteBudgetEntity.entityType, orgId: ctx.orgId, patientId, id: `${patientId}:${year}`, year, version: 1, createdAt: ctx.now,
          }).add({ reservedHours: 0, usedHours: 0 });
      const spec = builder.add({ hoursPerYear: delta, remainingHours: delta }).build();
      try {
        await this.db.transact({
          patientExists: this.patientExists(ctx.orgId, patientId),
          budget: this.db.update({ Key: key, ...spec }),
        });
        return (await this.getBudget(ctx.orgId, patientId, year))!;
      } catch (err) {
        if (err instanceof TransactionCancelledError && err.failed('patientExists')) throw new NotFoundError('Patient not found');
        if (!(err instanceof TransactionCancelledError && err.failed('budget'))) throw err;
        // Another change of hoursPerYear, or a reservation that took the remainder: read again.
      }
    }
    throw new ConflictError('The budget is changing; try again');
  }

  // ---- sessions ----------------------------------------------------------------------------

  /**
   * The requested session, on condition that the patient exists and that the year's budget still
   * has at least its hours remaining (one ConditionCheck: nothing is reserved before confirmation).
   */
  async createSession(ctx: WriteContext, session: RespiteSession, idem: IdempotencyRequest | undefined): Promise<RespiteSession> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, aideId: _a, ...fields } = session;
    const parts = {
      patientExists: this.patientExists(ctx.orgId, session.patientId),
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
    try {
      return await this.idempotency.run(ctx, idem, parts, session);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('patientExists')) throw new NotFoundError('Patient not found');
      if (err instanceof TransactionCancelledError && err.failed('budget')) throw new BudgetExceededError();
      throw err;
    }
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

  // ---- offers ------------------------------------------------------------------------------

  /** The offer, on condition that its session is still `requested`. */
  async createOffer(ctx: WriteContext, offer: RespiteOffer): Promise<RespiteOffer> {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = offer;
    try {
      await this.db.transact({
        sessionRequested: this.db.conditionCheck({
          Key: RespiteSessionEntity.key(ctx.orgId, offer.patientId, offer.sessionId),
          ConditionExpression: '#status = :requested',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':requested': 'requested' },
        }),
        offer: this.db.put(
          RespiteOfferEntity.newItem(
            {
              ...RespiteOfferEntity.key(ctx.orgId, offer.patientId, offer.sessionId, offer.offerId),
              ...RespiteOfferEntity.byAide(ctx.orgId, offer.aideId, offer.startAt, offer.offerId),
            },
            { id: offer.offerId, ...fields },
            ctx,
          ),
          { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
      });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('sessionRequested')) throw new ConflictError('The session is no longer waiting for an aide');
      throw err;
    }
    return offer;
  }

  async getOffer(orgId: string, patientId: string, sessionId: string, offerId: string): Promise<RespiteOffer | undefined> {
    const item = await this.db.get(RespiteOfferEntity.key(orgId, patientId, sessionId, offerId), true);
    return item ? RespiteOfferEntity.fromItem(item) : undefined;
  }

  /**
   * An acceptance in one calendar booking (`Calendars.book`, the aide's time): the session
   * `requested -> confirmed` (the condition that makes exactly one of N racing aides win), the offer
   * `offered -> accepted` while unexpired, the year's hours reserved on condition that they remain,
   * and the aide's care-team link when they have none (`CareTeamWrites`, which retries a raced link).
   */
  async accept(ctx: WriteContext, session: RespiteSession, offer: RespiteOffer, aide: User | undefined, change: CalendarChange): Promise<void> {
    const book = (join: CareTeamJoin) => this.calendars.book(ctx, [change], () => ({ ...this.acceptParts(ctx, session, offer), ...join }), () => undefined);
    try {
      if (aide) await this.careTeam.write(ctx, { patientId: session.patientId, member: aide, relationship: 'aide', mode: 'join' }, book);
      else await book({});
    } catch (err) {
      if (!(err instanceof TransactionCancelledError)) throw err;
      if (err.failed('session')) throw new ConflictError('Another aide accepted this session first');
      if (err.failed('offer')) throw new InvalidTransitionError('The offer is no longer open');
      if (err.failed('budget')) throw new BudgetExceededError('The respite budget no longer covers this session');
      throw err;
    }
  }

  private acceptParts(ctx: WriteContext, session: RespiteSession, offer: RespiteOffer): TransactParts {
    return {
      session: this.db.update({
        Key: RespiteSessionEntity.key(ctx.orgId, session.patientId, session.id),
        ...versioned(ctx)
          .compare('status', '=', 'requested')
          .set({
            status: 'confirmed', aideId: offer.aideId, confirmedAt: ctx.now, auditAction: 'confirm',
            ...RespiteSessionEntity.byStatus(ctx.orgId, 'confirmed', session.startAt, session.id),
          })
          .build(),
      }),
      offer: this.db.update({
        Key: RespiteOfferEntity.key(ctx.orgId, session.patientId, session.id, offer.offerId),
        ...versioned(ctx)
          .compare('status', '=', 'offered')
          .compare('expiresAt', '>', ctx.now)
          .set({ status: 'accepted', answeredAt: ctx.now, auditAction: 'accept' })
          .build(),
      }),
      budget: this.db.update(this.budgetMove(ctx, session, { reservedHours: session.hours, remainingHours: -session.hours }, true)),
    };
  }

  async declineOffer(ctx: WriteContext, offer: RespiteOffer, reason: string | undefined): Promise<RespiteOffer> {
    const spec = versioned(ctx).compare('status', '=', 'offered').set({ status: 'declined', answeredAt: ctx.now, declineReason: reason, auditAction: 'decline' }).build();
    try {
      await this.db.transact({ offer: this.db.update({ Key: RespiteOfferEntity.key(ctx.orgId, offer.patientId, offer.sessionId, offer.offerId), ...spec }) });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('offer')) return this.offerGone();
      throw err;
    }
    return { ...offer, status: 'declined', answeredAt: ctx.now, ...(reason ? { declineReason: reason } : {}), version: offer.version + 1, updatedAt: ctx.now };
  }

  /** The offer's expiry fired: `offered -> expired`, once (a replay or an answer first changes nothing). */
  async expireOffer(ctx: WriteContext, key: { patientId: string; sessionId: string; offerId: string }): Promise<boolean> {
    const spec = versioned(ctx).compare('status', '=', 'offered').set({ status: 'expired', auditAction: 'expire' }).build();
    try {
      await this.db.transact({ offer: this.db.update({ Key: RespiteOfferEntity.key(ctx.orgId, key.patientId, key.sessionId, key.offerId), ...spec }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('offer')) return false;
      throw err;
    }
  }

  /**
   * An aide's offers (every status) whose sessions start in [from, to), soonest first, each with its
   * session (BatchGet of the page's sessions: their status is the session's own, never a copy).
   */
  async aideOffers(orgId: string, aideId: string, from: string, to: string | undefined, page: PageRequest): Promise<Page<{ offer: RespiteOffer; session: RespiteSession }>> {
    const pk = RespiteOfferEntity.aidePartition(orgId, aideId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: to ? 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to' : 'GSI1PK = :pk AND GSI1SK >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ...(to ? { ':to': to } : {}) },
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    const offers = out.items.map(RespiteOfferEntity.fromItem);
    const keys = [...new Map(offers.map((o) => [`${o.patientId}/${o.sessionId}`, RespiteSessionEntity.key(orgId, o.patientId, o.sessionId)])).values()];
    const sessions = new Map((await this.db.batchGet<Item>(keys)).map((i) => [String(i.id), RespiteSessionEntity.fromItem(i)]));
    return {
      items: offers.flatMap((offer) => {
        const session = sessions.get(offer.sessionId);
        return session ? [{ offer, session }] : [];
      }),
      nextCursor: out.nextCursor,
    };
  }

  // ---- session changes ---------------------------------------------------------------------

  /**
   * The parts of a cancellation: the session on condition that its status is still the one read,
   * and what happens to the reserved hours (`released` back to the budget, `consumed` as used).
   */
  /**
   * Cancels before the start: the session (on condition of the status read), the hours released or
   * consumed, and with `change` the aide's time freed in the same calendar booking.
   */
  async cancel(ctx: WriteContext, session: RespiteSession, effect: 'released' | 'consumed' | 'none', reason: string, change: CalendarChange | undefined): Promise<void> {
    try {
      if (change) await this.calendars.book(ctx, [change], () => this.cancelParts(ctx, session, effect, reason), () => undefined);
      else await this.db.transact(this.cancelParts(ctx, session, effect, reason));
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('session')) throw new ConflictError('The session changed at the same time; fetch it again');
      throw err;
    }
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
    if (effect === 'released') parts.budget = this.db.update(this.budgetMove(ctx, session, { reservedHours: -session.hours, remainingHours: session.hours }));
    if (effect === 'consumed') parts.budget = this.db.update(this.budgetMove(ctx, session, { reservedHours: -session.hours, usedHours: session.hours }));
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
      budget: this.db.update(this.budgetMove(ctx, session, { reservedHours: -session.hours, usedHours: session.hours })),
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
      if (err instanceof TransactionCancelledError && err.failed('session')) return false;
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
      if (err instanceof TransactionCancelledError && err.failed('reminder')) return false;
      throw err;
    }
  }

  /** A read of a session's EVV record, for the audit trail (an AccessRecord, like every audited read). */
  recordRead(ctx: WriteContext, session: Pick<RespiteSession, 'id' | 'patientId'>): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'read', entityType: 'RespiteEvvRecord', entityId: session.id, patientId: session.patientId });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private async transition(ctx: WriteContext, session: RespiteSession, parts: TransactParts): Promise<void> {
    try {
      await this.db.transact(parts);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('session')) {
        throw new ConflictError(`The session changed at the same time (it was ${session.status}); fetch it again`);
      }
      throw err;
    }
  }

  private patientExists(orgId: string, patientId: string): TransactItem {
    return this.db.conditionCheck({ Key: PatientEntity.key(orgId, patientId), ConditionExpression: 'attribute_exists(PK)' });
  }

  /** Balanced ADDs on the session's budget year; `covering`: only while the remainder covers the session. */
  private budgetMove(ctx: WriteContext, session: RespiteSession, deltas: Record<string, number>, covering = false) {
    const b = update().exists().stamp(ctx).add(deltas);
    if (covering) b.compare('remainingHours', '>=', session.hours);
    return { Key: RespiteBudgetEntity.key(ctx.orgId, session.patientId, session.budgetYear), ...b.build() };
  }

  private offerGone(): never {
    throw new ConflictError('The offer is no longer open');
  }
}
