import { ulid } from 'ulid';
import type { Patient, User } from '../../schemas/identity.js';
import type {
  AssignmentsQuery,
  CaregiverProfile,
  CreateOfferBody,
  CreateRespiteSessionBody,
  PutCaregiverProfileBody,
  PutRespiteBudgetBody,
  RespiteAssignment,
  RespiteBudget,
  RespiteCheckBody,
  RespiteEvvRecord,
  RespiteListQuery,
  RespiteOffer,
  RespiteSession,
} from '../../schemas/respite.js';
import { aideBooking, aideEntry } from '../home-health/aide-calendar.js';
import { evvRecord, missingElements, OUT_OF_GEOFENCE, recordCheck } from '../home-health/evv.js';
import type { OrgSettingsReader } from '../identity/org-settings.js';
import { isStaff, type Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { Calendars } from '../shared/calendar/calendar-repository.js';
import { TransactionCancelledError, type Item, type Page } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { scheduleNames, type Scheduler } from '../shared/scheduling/scheduler.js';
import { BudgetExceededError, type RespiteRepository } from './repository.js';
import {
  CANCELLABLE,
  DEFAULT_OFFER_MINUTES,
  budgetYear,
  cancellationEffect,
  ceilMinute,
  currentYear,
  deviceTimeTooLate,
  lateCheckAt,
  reminderTimes,
  sessionHours,
  sessionTimeProblems,
} from './rules.js';
import type { RespiteWorkPayload } from './respite-work.js';

/** The people the respite domain needs to know of: is an id an aide of the org. */
export interface PeopleReader {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  getPatient(orgId: string, patientId: string): Promise<Patient | undefined>;
}

/** A session's status in the visits' EVV terms. */
const EVV_STATUS = { requested: 'scheduled', confirmed: 'assigned', in_progress: 'in_progress', completed: 'completed', cancelled: 'cancelled' } as const;

/** Geofence radius a session's check is measured against (the home visit's default). */
const SESSION_GEOFENCE_METERS = 150;

/**
 * Caregiver respite use cases (API.md, "Caregiver respite"). No HTTP, no SDK.
 *
 * Budget exactness: a session's hours are reserved, released, consumed or used only inside the
 * transaction that changes the session's status (repository), so the budget always equals what
 * the sessions say. Booking the aide is the one calendar's (`Calendars.book` with home health's
 * `aideBooking`), in the same transaction as the confirmation. Notices are one-time schedules with
 * derived names, set after the confirmation commits and removed by a cancellation; their fires
 * re-check the session (respite-work.ts), so a schedule that outlives its session sends nothing.
 */
export class RespiteService {
  constructor(
    private readonly repo: RespiteRepository,
    private readonly policy: AccessPolicy,
    private readonly people: PeopleReader,
    private readonly settings: OrgSettingsReader,
    private readonly calendars: Calendars,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  // ---- caregiver profiles ------------------------------------------------------------------

  putCaregiverProfile(ctx: WriteContext, body: PutCaregiverProfileBody): Promise<CaregiverProfile> {
    return this.repo.putCaregiverProfile(ctx, body);
  }

  /** Staff of the org, or the caregiver themself; anyone else the same 404 as for no profile. */
  async getCaregiverProfile(caller: Caller, userId: string): Promise<CaregiverProfile> {
    if (!isStaff(caller) && caller.userId !== userId) throw new NotFoundError('Caregiver profile not found');
    const profile = await this.repo.getCaregiverProfile(caller.orgId, userId);
    if (!profile) throw new NotFoundError('Caregiver profile not found');
    return profile;
  }

  // ---- budgets -----------------------------------------------------------------------------

  async putBudget(caller: Caller, ctx: WriteContext, patientId: string, body: PutRespiteBudgetBody): Promise<RespiteBudget> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const { timezone } = await this.settings.settings(caller.orgId);
    const stored = await this.repo.putBudget(ctx, patientId, body.year, body.hoursPerYear);
    return budgetView(patientId, body.year, timezone, stored);
  }

  async getBudget(caller: Caller, patientId: string, year: number | undefined, now: Date): Promise<RespiteBudget> {
    await this.policy.assertCanSeeExistingPatient(caller, patientId);
    const { timezone } = await this.settings.settings(caller.orgId);
    const y = year ?? currentYear(now, timezone);
    return budgetView(patientId, y, timezone, await this.repo.getBudget(caller.orgId, patientId, y));
  }

  // ---- sessions ----------------------------------------------------------------------------

  async requestSession(caller: Caller, ctx: WriteContext, patientId: string, body: CreateRespiteSessionBody, idem?: IdempotencyRequest): Promise<RespiteSession> {
    await this.policy.assertCanSeeExistingPatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as RespiteSession;
    const problems = sessionTimeProblems(body.startAt, body.endAt, new Date(ctx.now));
    if (problems.length) throw new ValidationError('Invalid session times', problems);
    const startAt = new Date(body.startAt).toISOString();
    const endAt = new Date(body.endAt).toISOString();
    const { timezone } = await this.settings.settings(caller.orgId);
    const session: RespiteSession = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      status: 'requested',
      startAt,
      endAt,
      hours: sessionHours(startAt, endAt),
      budgetYear: budgetYear(startAt, timezone),
      location: body.location,
      ...(body.needs ? { needs: body.needs } : {}),
      ...(body.languages ? { languages: body.languages } : {}),
      ...(body.notes ? { notes: body.notes } : {}),
      requestedBy: caller.userId,
      aideId: null,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createSession(ctx, session, idem);
  }

  async listForPatient(caller: Caller, patientId: string, query: RespiteListQuery): Promise<Page<RespiteSession>> {
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listForPatient(caller.orgId, patientId, query.status, query), 'existing');
  }

  async getSession(caller: Caller, patientId: string, sessionId: string): Promise<RespiteSession & { offers: RespiteOffer[] }> {
    const found = await this.policy.readAsViewer(caller, patientId, () => this.repo.getSessionWithOffers(caller.orgId, patientId, sessionId));
    if (!found) throw new NotFoundError('Respite session not found');
    return { ...found.session, offers: found.offers };
  }

  /** Staff only (route roles): the org's sessions in a status, soonest first. */
  listQueue(caller: Caller, query: RespiteListQuery): Promise<Page<RespiteSession>> {
    return this.repo.listByStatus(caller.orgId, query.status ?? 'requested', query);
  }

  // ---- offers ------------------------------------------------------------------------------

  /**
   * An offer of a requested session to an aide of the org, with its expiry schedule. The schedule
   * is put first (its name comes from the new offer id), then the offer on condition that the
   * session is still requested; if that fails, the schedule is removed.
   */
  async makeOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: CreateOfferBody): Promise<RespiteOffer> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const found = await this.repo.getSessionWithOffers(caller.orgId, patientId, sessionId);
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
    const name = scheduleNames.respiteOfferExpiry(offer.offerId);
    await this.scheduler.putOneTime({
      name,
      at: ceilMinute(offer.expiresAt),
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
   * of home health's `aideBooking`), confirms the session (on condition that it is still
   * `requested`: of N aides accepting at once exactly one wins and the others' calendars stay as
   * they were), accepts the offer (still `offered`, unexpired), reserves the hours (while the
   * budget covers them) and adds the aide to the care team when not on it.
   */
  async acceptOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, offerId: string): Promise<RespiteSession> {
    const offer = await this.ownOffer(caller, patientId, sessionId, offerId);
    if (offer.status !== 'offered') throw new InvalidTransitionError(`The offer is ${offer.status}`);
    if (Date.parse(offer.expiresAt) <= Date.parse(ctx.now)) throw new InvalidTransitionError('The offer has expired');
    const session = await this.repo.getSession(caller.orgId, patientId, sessionId);
    if (!session) throw new NotFoundError('Respite session not found');
    if (session.status !== 'requested') throw new ConflictError('The session is no longer waiting for an aide');
    const [{ travelSpeedKmh }, aide, onTeam] = await Promise.all([
      this.settings.settings(caller.orgId),
      this.people.getUser(caller.orgId, caller.userId),
      this.repo.isCareTeamMember(caller.orgId, patientId, caller.userId),
    ]);
    const place = placeOf(session);
    const change = aideBooking(offer.aideId, { add: [aideEntry('respite', session.id, session.startAt, session.endAt, patientId, place)] }, travelSpeedKmh);
    const confirmed: RespiteSession = { ...session, status: 'confirmed', aideId: offer.aideId, confirmedAt: ctx.now, version: session.version + 1, updatedAt: ctx.now };
    try {
      await this.calendars.book(ctx, [change], () => this.repo.acceptParts(ctx, session, offer, onTeam ? undefined : aide), () => confirmed);
    } catch (err) {
      if (!(err instanceof TransactionCancelledError)) throw err;
      if (err.failed('session')) throw new ConflictError('Another aide accepted this session first');
      if (err.failed('offer')) throw new InvalidTransitionError('The offer is no longer open');
      if (err.failed('budget')) throw new BudgetExceededError('The respite budget no longer covers this session');
      if (err.failed('careTeamMember')) {
        // Joined the care team in between: accept again without the link.
        await this.calendars.book(ctx, [change], () => this.repo.acceptParts(ctx, session, offer, undefined), () => confirmed);
      } else throw err;
    }
    await this.scheduler.delete(scheduleNames.respiteOfferExpiry(offerId)).catch((e: unknown) => this.logger.warn('offer expiry not removed', { offerId, error: e as Error }));
    await this.setNotices(ctx, confirmed);
    return confirmed;
  }

  async declineOffer(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, offerId: string, reason: string | undefined): Promise<RespiteOffer> {
    const offer = await this.ownOffer(caller, patientId, sessionId, offerId);
    if (offer.status !== 'offered') throw new InvalidTransitionError(`The offer is ${offer.status}`);
    const declined = await this.repo.declineOffer(ctx, offer, reason);
    await this.scheduler.delete(scheduleNames.respiteOfferExpiry(offerId)).catch((e: unknown) => this.logger.warn('offer expiry not removed', { offerId, error: e as Error }));
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

  // ---- session actions ---------------------------------------------------------------------

  /**
   * Cancel before the session starts: the requester, family on the care team, staff. A confirmed
   * session frees the aide's time in the same transaction (the calendar's `remove`), and its hours
   * are released (24 h or more before start) or consumed (later). Its notices are removed.
   */
  async cancel(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, reason: string): Promise<RespiteSession> {
    const session = await this.repo.getSession(caller.orgId, patientId, sessionId);
    const allowed = session && (session.requestedBy === caller.userId || (await this.policy.canSeePatient(caller, patientId)));
    if (!session || !allowed) throw new NotFoundError('Respite session not found');
    if (!CANCELLABLE.includes(session.status)) throw new InvalidTransitionError(`A ${session.status} session cannot be cancelled`);
    const now = new Date(ctx.now);
    const effect = cancellationEffect(session.status, session.startAt, now);
    const cancelled: RespiteSession = {
      ...session, status: 'cancelled', cancelledAt: ctx.now, cancelledBy: caller.userId, cancelReason: reason, cancellation: effect,
      version: session.version + 1, updatedAt: ctx.now,
    };
    try {
      if (session.aideId) {
        const change = aideBooking(session.aideId, { remove: [{ id: session.id, start: session.startAt, end: session.endAt }] });
        await this.calendars.book(ctx, [change], () => this.repo.cancelParts(ctx, session, effect, reason), () => cancelled);
      } else {
        await this.repo.commit(this.repo.cancelParts(ctx, session, effect, reason));
      }
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('session')) throw new ConflictError('The session changed at the same time; fetch it again');
      throw err;
    }
    await this.removeNotices(session.id);
    return cancelled;
  }

  async checkIn(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: RespiteCheckBody): Promise<RespiteSession> {
    const session = await this.confirmedAidesSession(caller, patientId, sessionId);
    if (session.status !== 'confirmed') throw new InvalidTransitionError(`A ${session.status} session cannot be checked in`);
    const { check, exceptions } = this.check('check-in', session, body, ctx);
    await this.repo.checkIn(ctx, session, check, exceptions);
    await this.removeNotices(session.id);
    return { ...session, status: 'in_progress', checkIn: check as RespiteSession['checkIn'], exceptions: exceptions as RespiteSession['exceptions'], version: session.version + 1, updatedAt: ctx.now };
  }

  /** Completes the session: its hours move from reserved to used in the same transaction. */
  async checkOut(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: RespiteCheckBody): Promise<RespiteSession> {
    const session = await this.confirmedAidesSession(caller, patientId, sessionId);
    if (session.status !== 'in_progress') throw new InvalidTransitionError('Check-out needs a check-in first');
    const { check, exceptions } = this.check('check-out', session, body, ctx);
    await this.repo.checkOut(ctx, session, check, exceptions);
    return { ...session, status: 'completed', checkOut: check as RespiteSession['checkOut'], exceptions: exceptions as RespiteSession['exceptions'], version: session.version + 1, updatedAt: ctx.now };
  }

  /**
   * The session's EVV record, built as a home visit's (home health's `evvRecord` and
   * `missingElements`): service type `respite`, the recipient, the local date, the place, the aide,
   * begin and end from the checks, the exceptions. A read of it is audited.
   */
  async evv(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string): Promise<RespiteEvvRecord> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const [session, patient, { timezone }] = await Promise.all([
      this.repo.getSession(caller.orgId, patientId, sessionId),
      this.people.getPatient(caller.orgId, patientId),
      this.settings.settings(caller.orgId),
    ]);
    if (!session) throw new NotFoundError('Respite session not found');
    const aide = session.aideId ? await this.people.getUser(caller.orgId, session.aideId) : undefined;
    const record = evvRecord({
      visitId: session.id,
      serviceType: 'respite',
      patientId,
      patientName: patient?.displayName ?? null,
      timezone,
      scheduledStart: session.startAt,
      // No coordinates: not finite, so `missingElements` names the location.
      location: { lat: session.location.lat ?? Number.NaN, lng: session.location.lng ?? Number.NaN, address: session.location.address },
      aideId: session.aideId,
      aideName: aide?.displayName ?? null,
      status: EVV_STATUS[session.status],
      version: session.version,
      begin: session.checkIn?.at ?? null,
      end: session.checkOut?.at ?? null,
      exceptions: (session.exceptions ?? []) as Parameters<typeof evvRecord>[0]['exceptions'],
      changes: [],
    });
    await this.repo.recordRead(ctx, session);
    const finite = (n: number) => (Number.isFinite(n) ? n : null);
    return { ...record, location: { ...record.location, lat: finite(record.location.lat), lng: finite(record.location.lng) }, missing: missingElements(record) };
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** An offer addressed to the caller; another aide's offer is the same 404 as none. */
  private async ownOffer(caller: Caller, patientId: string, sessionId: string, offerId: string): Promise<RespiteOffer> {
    const offer = await this.repo.getOffer(caller.orgId, patientId, sessionId, offerId);
    if (!offer || offer.aideId !== caller.userId) throw new NotFoundError('Offer not found');
    return offer;
  }

  /** A session whose confirmed aide is the caller; anyone else's the same 404 as none. */
  private async confirmedAidesSession(caller: Caller, patientId: string, sessionId: string): Promise<RespiteSession> {
    const session = await this.repo.getSession(caller.orgId, patientId, sessionId);
    if (!session || session.aideId !== caller.userId) throw new NotFoundError('Respite session not found');
    return session;
  }

  /**
   * The check as a home visit records it (home health's `recordCheck`: never refused; outside the
   * geofence it raises `out_of_geofence`). A session given only an address cannot be verified: the
   * check is kept with no distance and raises the same exception, which a reason code settles.
   */
  private check(on: 'check-in' | 'check-out', session: RespiteSession, body: RespiteCheckBody, ctx: WriteContext): { check: Item; exceptions: Item[] } {
    const now = new Date(ctx.now);
    if (body.at && deviceTimeTooLate(body.at, now)) {
      throw new ValidationError('at is in the future', [{ path: 'body.at', message: 'must not be more than 5 minutes in the future' }]);
    }
    const at = body.at ? new Date(body.at).toISOString() : ctx.now;
    const place = placeOf(session);
    const site = place ? { ...place, geofenceMeters: SESSION_GEOFENCE_METERS } : undefined;
    const fix = { lat: body.location.lat, lng: body.location.lng, accuracyMeters: body.location.accuracyMeters };
    const base = { on, fix, at, recordedAt: ctx.now, reasonCode: body.reasonCode, note: body.note } as const;
    let check: Item;
    let exception: Item | undefined;
    if (site) {
      const recorded = recordCheck({ ...base, site });
      check = recorded.check;
      exception = recorded.exception;
    } else {
      check = {
        at, recordedAt: ctx.now, location: { lat: fix.lat, lng: fix.lng, ...(fix.accuracyMeters !== undefined ? { accuracyMeters: fix.accuracyMeters } : {}) },
        distanceMeters: null, withinGeofence: false, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}), ...(body.note ? { note: body.note } : {}),
      };
      exception = { code: OUT_OF_GEOFENCE, on, at, ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}) };
    }
    return { check, exceptions: [...((session.exceptions as Item[] | undefined) ?? []), ...(exception ? [exception] : [])] };
  }

  /** After a confirmation commits: the notices still ahead and the late check-in check. */
  private async setNotices(ctx: WriteContext, session: RespiteSession): Promise<void> {
    const base = { orgId: ctx.orgId, patientId: session.patientId, sessionId: session.id, startAt: session.startAt };
    const puts = [
      ...reminderTimes(session.startAt, new Date(ctx.now)).map((r) => ({
        name: scheduleNames.respiteSession(session.id, r.which),
        at: ceilMinute(r.at),
        payload: { kind: 'respite-reminder', which: r.which, ...base } satisfies RespiteWorkPayload,
      })),
      { name: scheduleNames.respiteSession(session.id, 'late'), at: ceilMinute(lateCheckAt(session.startAt)), payload: { kind: 'respite-late', ...base } satisfies RespiteWorkPayload },
    ];
    for (const s of puts) {
      try {
        await this.scheduler.putOneTime(s);
      } catch (err) {
        // The session is confirmed (the decision is the table's); a missing notice is logged loudly.
        this.logger.error('respite notice not scheduled', { name: s.name, error: err as Error });
      }
    }
  }

  private async removeNotices(sessionId: string): Promise<void> {
    for (const which of ['24h', '1h', 'late'] as const) {
      const name = scheduleNames.respiteSession(sessionId, which);
      // Best effort: a notice left behind finds the session cancelled or checked in and sends nothing.
      await this.scheduler.delete(name).catch((e: unknown) => this.logger.warn('respite notice not removed', { name, error: e as Error }));
    }
  }
}

const placeOf = (s: RespiteSession) =>
  s.location.lat !== undefined && s.location.lng !== undefined ? { lat: s.location.lat, lng: s.location.lng } : undefined;

function budgetView(
  patientId: string,
  year: number,
  timezone: string,
  b: { hoursPerYear: number; reservedHours: number; usedHours: number; version: number } | undefined,
): RespiteBudget {
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const hoursPerYear = b?.hoursPerYear ?? 0;
  const reservedHours = r2(b?.reservedHours ?? 0);
  const usedHours = r2(b?.usedHours ?? 0);
  return { patientId, year, timezone, hoursPerYear, reservedHours, usedHours, remainingHours: r2(hoursPerYear - reservedHours - usedHours), version: b?.version ?? 0 };
}
