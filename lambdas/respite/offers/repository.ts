import type { RespiteOffer, RespiteSession } from '../../../schemas/respite.js';
import type { User } from '../../../schemas/identity.js';
import { Calendars, type CalendarChange } from '../../shared/calendar/calendar-repository.js';
import type { Db, Item, Page, TransactParts, PageRequest } from '../../shared/data/db.js';
import { failedPart, mapFailures } from '../../shared/data/transaction-failures.js';
import { versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError } from '../../shared/errors.js';
import { CareTeamWrites, type CareTeamJoin } from '../../shared/people/care-team.js';
import { BudgetExceededError, budgetMove } from '../budget.js';
import { RespiteOfferEntity, RespiteSessionEntity } from '../entities.js';

/**
 * Offers of respite sessions to aides in the single table (docs/data-model.md, "Respite"):
 * - an offer: GetItem under its session's prefix `ORG#o#PAT#p / RESPITE#<session>#OFFER#<offer>`
 * - an aide's offers, soonest first: Query GSI1 `ORG#o#USER#<aide>#RESPITE_OFFERS` + BatchGet sessions
 * An acceptance confirms the session, reserves its hours (budget.ts) and books the aide in one transaction.
 */
export class OfferRepository {
  private readonly calendars: Calendars;
  private readonly careTeam: CareTeamWrites;

  constructor(private readonly db: Db) {
    this.calendars = new Calendars(db);
    this.careTeam = new CareTeamWrites(db);
  }

  /** The offer, on condition that its session is still `requested`. */
  async createOffer(ctx: WriteContext, offer: RespiteOffer): Promise<RespiteOffer> {
    const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = offer;
    await mapFailures({ sessionRequested: () => new ConflictError('The session is no longer waiting for an aide') }, () =>
      this.db.transact({
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
      }),
    );
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
    const explain = {
      session: () => new ConflictError('Another aide accepted this session first'),
      offer: () => new InvalidTransitionError('The offer is no longer open'),
      budget: () => new BudgetExceededError('The respite budget no longer covers this session'),
    };
    await mapFailures(explain, async () => {
      if (aide) await this.careTeam.write(ctx, { patientId: session.patientId, member: aide, relationship: 'aide', mode: 'join' }, book);
      else await book({});
    });
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
      budget: this.db.update(budgetMove(ctx, session, { reservedHours: session.hours, remainingHours: -session.hours }, true)),
    };
  }

  async declineOffer(ctx: WriteContext, offer: RespiteOffer, reason: string | undefined): Promise<RespiteOffer> {
    const spec = versioned(ctx).compare('status', '=', 'offered').set({ status: 'declined', answeredAt: ctx.now, declineReason: reason, auditAction: 'decline' }).build();
    await mapFailures({ offer: () => new ConflictError('The offer is no longer open') }, () =>
      this.db.transact({ offer: this.db.update({ Key: RespiteOfferEntity.key(ctx.orgId, offer.patientId, offer.sessionId, offer.offerId), ...spec }) }),
    );
    return { ...offer, status: 'declined', answeredAt: ctx.now, ...(reason ? { declineReason: reason } : {}), version: offer.version + 1, updatedAt: ctx.now };
  }

  /** The offer's expiry fired: `offered -> expired`, once (a replay or an answer first changes nothing). */
  async expireOffer(ctx: WriteContext, key: { patientId: string; sessionId: string; offerId: string }): Promise<boolean> {
    const spec = versioned(ctx).compare('status', '=', 'offered').set({ status: 'expired', auditAction: 'expire' }).build();
    try {
      await this.db.transact({ offer: this.db.update({ Key: RespiteOfferEntity.key(ctx.orgId, key.patientId, key.sessionId, key.offerId), ...spec }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['offer'])) return false;
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
}
