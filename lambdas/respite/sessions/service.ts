import { ulid } from 'ulid';
import type { CreateRespiteSessionBody, RespiteEvvRecord, RespiteListQuery, RespiteOffer, RespiteSession } from '../../../schemas/respite.js';
import type { CheckBody, EvvCheck, EvvException } from '../../../schemas/visits.js';
import type { Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/data/db.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { InvalidTransitionError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { OrgSettingsReader } from '../../shared/people/org-settings.js';
import { aheadOfServer } from '../../shared/scheduling/timing.js';
import { aideBooking } from '../../shared/visits/aide-calendar.js';
import { evvRecord, missingElements, recordCheck, recordUnplacedCheck } from '../../shared/visits/evv.js';
import type { SessionNotices } from '../notices.js';
import type { PeopleReader } from '../people.js';
import { budgetYear, CANCELLABLE, cancellationEffect, placeOf, sessionHours, sessionTimeProblems } from '../rules.js';
import type { SessionRepository } from './repository.js';

/** A session's status in the visits' EVV terms. */
const EVV_STATUS = { requested: 'scheduled', confirmed: 'assigned', in_progress: 'in_progress', completed: 'completed', cancelled: 'cancelled' } as const;

/** Geofence radius a session's check is measured against (the home visit's default). */
const SESSION_GEOFENCE_METERS = 150;

/**
 * Respite sessions (API.md, "Caregiver respite"): request, read, cancel, check in and out, the EVV
 * record. No HTTP, no SDK.
 *
 * Budget exactness: a session's hours are reserved, released, consumed or used only inside the
 * transaction that changes the session's status (the repositories, budget.ts), so the budget always
 * equals what the sessions say.
 */
export class SessionService {
  constructor(
    private readonly repo: SessionRepository,
    private readonly policy: AccessPolicy,
    private readonly people: PeopleReader,
    private readonly settings: OrgSettingsReader,
    private readonly notices: SessionNotices,
  ) {}

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
    const change = session.aideId ? aideBooking(session.aideId, { remove: [{ id: session.id, start: session.startAt, end: session.endAt }] }) : undefined;
    await this.repo.cancel(ctx, session, effect, reason, change);
    await this.notices.remove(session.id);
    return cancelled;
  }

  async checkIn(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: CheckBody): Promise<RespiteSession> {
    const session = await this.confirmedAidesSession(caller, patientId, sessionId);
    if (session.status !== 'confirmed') throw new InvalidTransitionError(`A ${session.status} session cannot be checked in`);
    const { check, exceptions } = this.check('check-in', session, body, ctx);
    await this.repo.checkIn(ctx, session, check, exceptions);
    await this.notices.remove(session.id);
    return { ...session, status: 'in_progress', checkIn: check, exceptions, version: session.version + 1, updatedAt: ctx.now };
  }

  /** Completes the session: its hours move from reserved to used in the same transaction. */
  async checkOut(caller: Caller, ctx: WriteContext, patientId: string, sessionId: string, body: CheckBody): Promise<RespiteSession> {
    const session = await this.confirmedAidesSession(caller, patientId, sessionId);
    if (session.status !== 'in_progress') throw new InvalidTransitionError('Check-out needs a check-in first');
    const { check, exceptions } = this.check('check-out', session, body, ctx);
    await this.repo.checkOut(ctx, session, check, exceptions);
    return { ...session, status: 'completed', checkOut: check, exceptions, version: session.version + 1, updatedAt: ctx.now };
  }

  /**
   * The session's EVV record, built as a home visit's (the shared `evvRecord` and
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
      exceptions: session.exceptions ?? [],
      changes: [],
    });
    await this.repo.recordRead(ctx, session);
    const finite = (n: number) => (Number.isFinite(n) ? n : null);
    return { ...record, location: { ...record.location, lat: finite(record.location.lat), lng: finite(record.location.lng) }, missing: missingElements(record) };
  }

  /** A session whose confirmed aide is the caller; anyone else's the same 404 as none. */
  private async confirmedAidesSession(caller: Caller, patientId: string, sessionId: string): Promise<RespiteSession> {
    const session = await this.repo.getSession(caller.orgId, patientId, sessionId);
    if (!session || session.aideId !== caller.userId) throw new NotFoundError('Respite session not found');
    return session;
  }

  /**
   * The check as a home visit records it (the shared `recordCheck`: never refused; outside the
   * geofence it raises `out_of_geofence`). A session given only an address cannot be verified: the
   * check is kept with no distance and raises the same exception, which a reason code settles.
   */
  private check(on: 'check-in' | 'check-out', session: RespiteSession, body: CheckBody, ctx: WriteContext): { check: EvvCheck; exceptions: EvvException[] } {
    const now = new Date(ctx.now);
    if (body.at && aheadOfServer(body.at, now)) {
      throw new ValidationError('at is in the future', [{ path: 'body.at', message: 'must not be more than 5 minutes in the future' }]);
    }
    const at = body.at ? new Date(body.at).toISOString() : ctx.now;
    const place = placeOf(session);
    const input = { on, fix: body.location, at, recordedAt: ctx.now, reasonCode: body.reasonCode, note: body.note };
    const { check, exception } = place ? recordCheck({ ...input, site: { ...place, geofenceMeters: SESSION_GEOFENCE_METERS } }) : recordUnplacedCheck(input);
    return { check, exceptions: [...(session.exceptions ?? []), ...(exception ? [exception] : [])] };
  }
}
