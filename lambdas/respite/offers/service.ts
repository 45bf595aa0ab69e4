import { ulid } from 'ulid';
import type { AssignmentsQuery, CreateOfferBody, RespiteAssignment, RespiteOffer, RespiteSession } from '../../../schemas/respite.js';
import type { Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/data/db.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { OrgSettingsReader } from '../../shared/people/org-settings.js';
import { deleteAll } from '../../shared/scheduling/schedule-writes.js';
import type { Scheduler } from '../../shared/scheduling/scheduler.js';
import { wholeMinuteAtOrAfter } from '../../shared/scheduling/timing.js';
import { aideBooking, aideEntry } from '../../shared/visits/aide-calendar.js';
import type { SessionNotices } from '../notices.js';
import type { PeopleReader } from '../people.js';
import { RESPITE_SCHEDULE_NAMES, type RespiteWorkPayload } from '../respite-work.js';
import { DEFAULT_OFFER_MINUTES, placeOf } from '../rules.js';
import type { SessionRepository } from '../sessions/repository.js';
import type { OfferRepository } from './repository.js';

/**
 * Offers of requested sessions to aides (API.md, "Caregiver respite"): make, accept, decline, an
 * aide's assignments. No HTTP, no SDK. Booking the aide is the one calendar's (`Calendars.book` with
 * the shared `aideBooking`), in the same transaction as the confirmation; the session's notices are
 * set once it commits (SessionNotices).
 */
export class OfferService {
  constructor(
    private readonly repo: OfferRepository,
    private readonly sessions: SessionRepository,
    private readonly policy: AccessPolicy,
    private readonly people: PeopleReader,
    private readonly settings: OrgSettingsReader,
    private readonly scheduler: Scheduler,
    private readonly notices: SessionNotices,
    private readonly logger: Logger,
  ) {}

  /**
   * An offer of a requested session to an aide of the org, with its expiry schedule. The schedule
   * is put first (its name comes from the new offer id), then the offer on condition that the
   * session is still requested; if that fails, the schedule is removed.
   */
  async makeOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: CreateOfferBody): Promise<RespiteOffer> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const found = await this.sessions.getSessionWithOffers(caller.orgId, patientId, sessionId);
    if (!found) throw new NotFoundError('Respite session not found');
    const { session, offers } = found;
    if (session.status !== 'requested') throw new InvalidTransitionError(`A ${session.status} session takes no offers`);
    const aide = await this.people.getUser(caller.orgId, body.aideId);
    if (!aide || aide.role !== 'aide') throw new ValidationError('No such aide', [{ path: 'body.aideId', message: 'no such aide in your organisation' }]);
    if (offers.some((o) => o.aideId === body.aideId && o.status === 'offered' && Date.parse(o.expiresAt) > Date.parse(ctx.now))) {
      throw new ConflictError('This aide already has an open offer for the session');
    }
    const offer: RespiteOffer = {
      offerId: ulid(Date.parse(ctx.now)),
      sessionId,
      patientId,
      aideId: body.aideId,
      status: 'offered',
      expiresAt: new Date(Date.parse(ctx.now) + (body.expiresInMinutes ?? DEFAULT_OFFER_MINUTES) * 60_000).toISOString(),
      startAt: session.startAt,
      endAt: session.endAt,
      offeredBy: caller.userId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    const name = RESPITE_SCHEDULE_NAMES.offerExpiry(offer.offerId);
    await this.scheduler.putOneTime({
      name,
      at: wholeMinuteAtOrAfter(offer.expiresAt),
      payload: { kind: 'respite-offer-expiry', orgId: ctx.orgId, patientId, sessionId, offerId: offer.offerId } satisfies RespiteWorkPayload,
    });
    try {
      return await this.repo.createOffer(ctx, offer);
    } catch (err) {
      await this.scheduler.delete(name).catch((e: unknown) => this.logger.error('could not remove an unused offer expiry', { name, error: e as Error }));
      throw err;
    }
  }

  /**
   * The offered aide accepts: one `Calendars.book` transaction books the aide's time (the travel gap
   * of the shared `aideBooking`), confirms the session (on condition that it is still
   * `requested`: of N aides accepting at once exactly one wins and the others' calendars stay as
   * they were), accepts the offer (still `offered`, unexpired), reserves the hours (while the
   * budget covers them) and adds the aide to the care team when not on it.
   */
  async acceptOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, offerId: string): Promise<RespiteSession> {
    const offer = await this.ownOffer(caller, patientId, sessionId, offerId);
    if (offer.status !== 'offered') throw new InvalidTransitionError(`The offer is ${offer.status}`);
    if (Date.parse(offer.expiresAt) <= Date.parse(ctx.now)) throw new InvalidTransitionError('The offer has expired');
    const session = await this.sessions.getSession(caller.orgId, patientId, sessionId);
    if (!session) throw new NotFoundError('Respite session not found');
    if (session.status !== 'requested') throw new ConflictError('The session is no longer waiting for an aide');
    const [{ travelSpeedKmh }, aide] = await Promise.all([this.settings.settings(caller.orgId), this.people.getUser(caller.orgId, caller.userId)]);
    const place = placeOf(session);
    const change = aideBooking(offer.aideId, { add: [aideEntry('respite', session.id, session.startAt, session.endAt, patientId, place)] }, travelSpeedKmh);
    const confirmed: RespiteSession = { ...session, status: 'confirmed', aideId: offer.aideId, confirmedAt: ctx.now, version: session.version + 1, updatedAt: ctx.now };
    await this.repo.accept(ctx, session, offer, aide, change);
    await deleteAll(this.scheduler, [RESPITE_SCHEDULE_NAMES.offerExpiry(offerId)], { logger: this.logger });
    await this.notices.set(ctx, confirmed);
    return confirmed;
  }

  async declineOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, offerId: string, reason: string | undefined): Promise<RespiteOffer> {
    const offer = await this.ownOffer(caller, patientId, sessionId, offerId);
    if (offer.status !== 'offered') throw new InvalidTransitionError(`The offer is ${offer.status}`);
    const declined = await this.repo.declineOffer(ctx, offer, reason);
    await deleteAll(this.scheduler, [RESPITE_SCHEDULE_NAMES.offerExpiry(offerId)], { logger: this.logger });
    return declined;
  }

  /** The aide's offers (every status) with their sessions, soonest start first. */
  async assignments(caller: Caller, query: AssignmentsQuery, now: Date): Promise<Page<RespiteAssignment>> {
    const from = query.from ? new Date(query.from).toISOString() : new Date(now.getTime() - 72 * 3_600_000).toISOString();
    const to = query.to ? `${new Date(query.to).toISOString()}~` : undefined;
    if (to && to < from) throw new ValidationError('to is before from', [{ path: 'query.to', message: 'must not be before from' }]);
    const page = await this.repo.aideOffers(caller.orgId, caller.userId, from, to, query);
    return {
      items: page.items.map(({ offer, session }) => ({
        offerId: offer.offerId,
        offerStatus: offer.status,
        expiresAt: offer.expiresAt,
        sessionId: session.id,
        patientId: session.patientId,
        sessionStatus: session.status,
        startAt: session.startAt,
        endAt: session.endAt,
        location: session.location,
        confirmed: offer.status === 'accepted' && session.aideId === caller.userId,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** An offer addressed to the caller; another aide's offer is the same 404 as none. */
  private async ownOffer(caller: Caller, patientId: string, sessionId: string, offerId: string): Promise<RespiteOffer> {
    const offer = await this.repo.getOffer(caller.orgId, patientId, sessionId, offerId);
    if (!offer || offer.aideId !== caller.userId) throw new NotFoundError('Offer not found');
    return offer;
  }
}
