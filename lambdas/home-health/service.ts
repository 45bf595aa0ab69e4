import { ulid } from 'ulid';
import type {
  AideListQuery,
  AideProfile,
  AdjustSupplyBody,
  CheckBody,
  CreateServiceLogBody,
  CreateSupplyBody,
  CreateVisitBody,
  DayRoute,
  EvvExport,
  EvvExportQuery,
  EvvRecord,
  OrgVisitsQuery,
  PatchEvvBody,
  PatientVisitsQuery,
  PutAideProfileBody,
  ServiceLog,
  SetAvailabilityBody,
  Supply,
  SupplyListQuery,
  SupplyMovement,
  UseSupplyBody,
  Visit,
} from '../../schemas/home-health.js';
import type { User } from '../../schemas/identity.js';
import type { OrgSettingsReader } from '../identity/org-settings.js';
import type { Caller } from '../shared/auth/caller.js';
import { isStaff } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { CalendarChange } from '../shared/calendar/calendar-repository.js';
import type { Db, Page, TransactItem } from '../shared/data/db.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../shared/errors.js';
import { addDays, localDate, startOfLocalDay } from '../shared/scheduling/zoned-time.js';
import { AIDE_BOOKING_MARGIN_MINUTES, aideBooking, aideEntry, aideOwner, travelGap } from './aide-calendar.js';
import { evvCsv, evvRecord, maintain, missingElements, recordCheck, type EvvSource } from './evv.js';
import { distanceKm, round1 } from './geo.js';
import { publicVisit, type HomeHealthRepository, type StoredVisit } from './repository.js';
import { ASSIGNABLE, CANCELLABLE, LOGGABLE, placeBefore, rankSuggestions, routeLegs, switchedOn, withinWeeklyAvailability } from './rules.js';
import type { VisitSchedules } from './visit-work.js';

type PageRequest = { limit: number; cursor?: string | undefined };

/** What home health needs of identity: users and patients of the org (the identity repository). */
export interface People {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  getPatient(orgId: string, patientId: string): Promise<{ id: string; displayName: string } | undefined>;
}

const DEFAULT_GEOFENCE_METERS = 150;
/** A device clock may run this far ahead of ours. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const MAX_EXPORT_DAYS = 31;
const shiftIso = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** An own item of a booking failed because the aide joined the care team meanwhile: decide again. */
class JoinedMeanwhile extends ConflictError {}

/**
 * Home health use cases (API.md, "Aides, home visits and electronic visit verification"). No HTTP,
 * no SDK. Every aide booking goes through aide-calendar.ts and the shared calendar; EVV decisions
 * through evv.ts; schedules through VisitSchedules after the table has committed (a fire re-checks
 * the visit, so a schedule left behind by a failure does nothing).
 */
export class HomeHealthService {
  constructor(
    private readonly repo: HomeHealthRepository,
    private readonly policy: AccessPolicy,
    private readonly people: People,
    private readonly settings: OrgSettingsReader,
    private readonly schedules: VisitSchedules,
    private readonly db: Db,
  ) {}

  // ---- aides ----------------------------------------------------------------------------------

  /** A PUT replaces the profile: a parallel replacement that won is simply replaced again (twice at most). */
  async putAide(ctx: WriteContext, userId: string, body: PutAideProfileBody): Promise<AideProfile> {
    const user = await this.people.getUser(ctx.orgId, userId);
    if (!user) throw new NotFoundError('User not found');
    if (user.role !== 'aide') throw new ValidationError('Only aide users have aide profiles', [{ path: 'userId', message: 'not an aide' }]);
    try {
      return await this.replaceAide(ctx, user, body);
    } catch (err) {
      if (err instanceof VersionConflictError) return this.replaceAide(ctx, user, body);
      throw err;
    }
  }

  private async replaceAide(ctx: WriteContext, user: User, body: PutAideProfileBody): Promise<AideProfile> {
    const userId = user.userId;
    const previous = await this.repo.getAide(ctx.orgId, userId, true);
    const profile: AideProfile = {
      id: userId,
      userId,
      displayName: user.displayName,
      skills: [...new Set(body.skills)],
      languages: body.languages ?? [],
      homeBase: body.homeBase,
      serviceRadiusKm: body.serviceRadiusKm,
      availability: body.availability,
      timezone: body.timezone,
      status: previous?.status ?? 'available',
      ...(previous?.until ? { until: previous.until } : {}),
      version: (previous?.version ?? 0) + 1,
      createdAt: previous?.createdAt ?? ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.putAide(ctx, profile, previous);
  }

  listAides(caller: Caller, query: AideListQuery): Promise<Page<AideProfile>> {
    return this.repo.listAides(caller.orgId, query.skill, query);
  }

  async setMyAvailability(ctx: WriteContext, body: SetAvailabilityBody): Promise<AideProfile> {
    if (body.until && body.status !== 'unavailable') {
      throw new ValidationError('until goes with status unavailable', [{ path: 'body.until', message: 'only with status unavailable' }]);
    }
    if (body.until && Date.parse(body.until) <= Date.parse(ctx.now)) {
      throw new ValidationError('until is in the past', [{ path: 'body.until', message: 'must be in the future' }]);
    }
    const aide = await this.repo.getAide(ctx.orgId, ctx.actorId, true);
    if (!aide) throw new NotFoundError('You have no aide profile yet; staff create it');
    return this.repo.setAideAvailability(ctx, aide, { status: body.status, until: body.until ? new Date(body.until).toISOString() : undefined });
  }

  // ---- visits ---------------------------------------------------------------------------------

  async createVisit(caller: Caller, ctx: WriteContext, patientId: string, body: CreateVisitBody, idem?: IdempotencyRequest): Promise<Visit> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Visit;
    const patient = await this.people.getPatient(ctx.orgId, patientId);
    if (!patient) throw new NotFoundError('Patient not found');
    const { timezone, travelSpeedKmh } = await this.settings.settings(ctx.orgId);
    const scheduledStart = new Date(body.scheduledStart).toISOString();
    const visit: StoredVisit = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      serviceType: body.serviceType,
      scheduledStart,
      scheduledEnd: new Date(body.scheduledEnd).toISOString(),
      timezone,
      localDate: localDate(new Date(scheduledStart), timezone),
      location: { ...body.location, geofenceMeters: body.location.geofenceMeters ?? DEFAULT_GEOFENCE_METERS },
      tasks: body.tasks ?? [],
      requiredSkills: [...new Set(body.requiredSkills ?? [])],
      status: 'scheduled',
      exceptions: [],
      patientName: patient.displayName,
      evvChanges: [],
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    const patientGone = () => new NotFoundError('Patient not found');
    if (!body.aideId) {
      const parts = { patientExists: this.repo.patientExistsCheck(ctx.orgId, patientId), visit: this.repo.newVisitItem(ctx, visit) };
      return this.repo.commit(ctx, parts, publicVisit(visit), { patientExists: patientGone }, idem);
    }
    const aide = await this.aideUser(ctx.orgId, body.aideId);
    const assigned: StoredVisit = { ...visit, status: 'assigned', aideId: aide.userId, aideName: aide.displayName };
    const stored = await this.withJoinRetry(async () => {
      const join = await this.joinItems(ctx, patientId, aide);
      return this.repo.book(
        ctx,
        [aideBooking(aide.userId, { add: [visitEntry(assigned)] }, travelSpeedKmh)],
        () => ({ patientExists: this.repo.patientExistsCheck(ctx.orgId, patientId), visit: this.repo.newVisitItem(ctx, assigned), ...join }),
        publicVisit(assigned),
        { patientExists: patientGone, careTeamJoin: () => new JoinedMeanwhile('') },
        idem,
      );
    });
    // A replay answers the first request's visit, whose own request set its checks.
    if (stored.id === assigned.id) await this.schedules.sync(ctx.orgId, assigned, ctx.now);
    return stored;
  }

  async listPatientVisits(caller: Caller, patientId: string, query: PatientVisitsQuery): Promise<Page<Visit>> {
    const page = await this.policy.readAsViewer(caller, patientId, () => this.repo.listPatientVisits(caller.orgId, patientId, query.from, query.to, query), 'existing');
    return { items: page.items.map(publicVisit), nextCursor: page.nextCursor };
  }

  async listDayVisits(caller: Caller, query: OrgVisitsQuery): Promise<Page<Visit>> {
    const page = await this.repo.listDayVisits(caller.orgId, query.date, query.status, query);
    return { items: page.items.map(publicVisit), nextCursor: page.nextCursor };
  }

  /**
   * Aides for a visit, nearest first. Reads: one Query of the org's aides (GSI1, filtered by the
   * required skills), then one Query of each remaining candidate's calendar days around the visit.
   */
  async suggestAides(caller: Caller, patientId: string, visitId: string) {
    const visit = await this.visitFor(caller, patientId, visitId);
    const { travelSpeedKmh } = await this.settings.settings(caller.orgId);
    const entry = visitEntry(visit);
    const candidates = (await this.repo.aidesWithSkills(caller.orgId, visit.requiredSkills)).filter(
      (a) =>
        visit.requiredSkills.every((s) => a.skills.includes(s)) &&
        switchedOn(a, visit.scheduledStart, visit.scheduledEnd) &&
        withinWeeklyAvailability(a.availability, a.timezone, visit.scheduledStart, visit.scheduledEnd) &&
        distanceKm(a.homeBase, visit.location) <= a.serviceRadiusKm,
    );
    const window: [string, string] = [shiftIso(visit.scheduledStart, -AIDE_BOOKING_MARGIN_MINUTES), shiftIso(visit.scheduledEnd, AIDE_BOOKING_MARGIN_MINUTES)];
    const ranked = await Promise.all(
      candidates.map(async (a) => {
        const calendar = await this.repo.calendars.window(caller.orgId, aideOwner(a.userId), [window]);
        if (calendar.clash(entry, travelGap(travelSpeedKmh), new Set([visit.id]))) return undefined;
        const before = placeBefore(calendar.entries(), { id: visit.id, start: visit.scheduledStart }, a.timezone, a.homeBase);
        return { aideId: a.userId, displayName: a.displayName, distanceKm: round1(distanceKm(before.place, visit.location)), from: before.from, skills: a.skills };
      }),
    );
    return { items: rankSuggestions(ranked.filter((r) => r !== undefined)) };
  }

  /** Staff assign (or reassign) an aide: the new aide's time is booked and the old aide's freed in one transaction. */
  async assign(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, aideId: string): Promise<Visit> {
    const aide = await this.aideUser(ctx.orgId, aideId);
    return this.withJoinRetry(async () => {
      const visit = await this.visitFor(caller, patientId, visitId);
      if (!ASSIGNABLE.includes(visit.status)) throw new InvalidTransitionError(`A ${visit.status} visit cannot be assigned`);
      if (visit.aideId === aideId) {
        await this.schedules.sync(ctx.orgId, visit, ctx.now); // a retry after a failed sync repairs it
        return publicVisit(visit);
      }
      const { travelSpeedKmh } = await this.settings.settings(ctx.orgId);
      const next: StoredVisit = { ...visit, status: 'assigned', aideId, aideName: aide.displayName, version: visit.version + 1, updatedAt: ctx.now };
      const changes: CalendarChange[] = [aideBooking(aideId, { add: [visitEntry(next)] }, travelSpeedKmh)];
      if (visit.aideId) changes.push(aideBooking(visit.aideId, { remove: [visitEntry(visit)] }, travelSpeedKmh));
      const join = await this.joinItems(ctx, patientId, aide);
      await this.repo.book(
        ctx,
        changes,
        () => ({ visit: this.repo.visitUpdateItem(ctx, visit, { status: 'assigned', aideId, aideName: aide.displayName, auditAction: 'assign' }), ...join }),
        next,
        { visit: () => new VersionConflictError('The visit changed meanwhile; fetch it again'), careTeamJoin: () => new JoinedMeanwhile('') },
      );
      await this.schedules.sync(ctx.orgId, next, ctx.now);
      return publicVisit(next);
    });
  }

  async cancel(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, reason: string): Promise<Visit> {
    const visit = await this.visitFor(caller, patientId, visitId);
    if (!CANCELLABLE.includes(visit.status)) throw new InvalidTransitionError(`A ${visit.status} visit cannot be cancelled`);
    const next: StoredVisit = { ...visit, status: 'cancelled', cancelReason: reason, version: visit.version + 1, updatedAt: ctx.now };
    const update = () => ({ visit: this.repo.visitUpdateItem(ctx, visit, { status: 'cancelled', cancelReason: reason, auditAction: 'cancel' }) });
    const stale = { visit: () => new VersionConflictError('The visit changed meanwhile; fetch it again') };
    if (visit.aideId) {
      const { travelSpeedKmh } = await this.settings.settings(ctx.orgId);
      await this.repo.book(ctx, [aideBooking(visit.aideId, { remove: [visitEntry(visit)] }, travelSpeedKmh)], update, next, stale);
    } else {
      await this.repo.commit(ctx, update(), next, stale);
    }
    await this.schedules.sync(ctx.orgId, next, ctx.now);
    return publicVisit(next);
  }

  async checkIn(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: CheckBody): Promise<Visit> {
    const visit = await this.assignedAidesVisit(caller, patientId, visitId);
    if (visit.status !== 'assigned') throw new InvalidTransitionError(`A ${visit.status} visit cannot be checked in`);
    const at = this.checkTime(ctx, body.at);
    const { check, exception } = recordCheck({ on: 'check-in', site: visit.location, fix: body.location, at, recordedAt: ctx.now, reasonCode: body.reasonCode, note: body.note });
    const exceptions = exception ? [...visit.exceptions, exception] : visit.exceptions;
    const next: StoredVisit = { ...visit, status: 'in_progress', checkIn: check, exceptions, evvBegin: at, version: visit.version + 1, updatedAt: ctx.now };
    await this.repo.commit(
      ctx,
      { visit: this.repo.visitUpdateItem(ctx, visit, { status: 'in_progress', checkIn: check, exceptions, evvBegin: at, auditAction: 'check_in' }) },
      next,
      { visit: () => new VersionConflictError('The visit changed meanwhile; fetch it again') },
    );
    await this.schedules.sync(ctx.orgId, next, ctx.now);
    return publicVisit(next);
  }

  async checkOut(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: CheckBody): Promise<Visit> {
    const visit = await this.assignedAidesVisit(caller, patientId, visitId);
    if (visit.status !== 'in_progress') throw new InvalidTransitionError(visit.status === 'assigned' ? 'Check in first' : `A ${visit.status} visit cannot be checked out`);
    const at = this.checkTime(ctx, body.at);
    if (visit.checkIn && Date.parse(at) <= Date.parse(visit.checkIn.at)) {
      throw new ValidationError('Check-out must be after check-in', [{ path: 'body.at', message: 'must be after the check-in' }]);
    }
    const { check, exception } = recordCheck({ on: 'check-out', site: visit.location, fix: body.location, at, recordedAt: ctx.now, reasonCode: body.reasonCode, note: body.note });
    const exceptions = exception ? [...visit.exceptions, exception] : visit.exceptions;
    const next: StoredVisit = { ...visit, status: 'completed', checkOut: check, exceptions, evvEnd: at, version: visit.version + 1, updatedAt: ctx.now };
    await this.repo.commit(
      ctx,
      { visit: this.repo.visitUpdateItem(ctx, visit, { status: 'completed', checkOut: check, exceptions, evvEnd: at, auditAction: 'check_out' }) },
      next,
      { visit: () => new VersionConflictError('The visit changed meanwhile; fetch it again') },
    );
    return publicVisit(next);
  }

  // ---- EVV ------------------------------------------------------------------------------------

  async evv(caller: Caller, ctx: WriteContext, patientId: string, visitId: string): Promise<EvvRecord> {
    const visit = await this.visitFor(caller, patientId, visitId);
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'EvvRecord', entityId: visit.id, patientId });
    return evvRecord(evvSource(visit));
  }

  async maintainEvv(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: PatchEvvBody): Promise<EvvRecord> {
    const visit = await this.visitFor(caller, patientId, visitId);
    if (body.version !== visit.version) throw new VersionConflictError();
    if (visit.status === 'cancelled') throw new InvalidTransitionError('A cancelled visit has no EVV record to maintain');
    const { evvLockDays } = await this.settings.settings(ctx.orgId);
    const source = evvSource(visit);
    const date = evvRecord(source).date;
    if (localDate(new Date(ctx.now), visit.timezone) > addDays(date, evvLockDays)) {
      throw new ConflictError(`The EVV record locked ${evvLockDays} days after the visit`);
    }
    const next = maintain(source, body, ctx.actorId, ctx.now);
    if (!next) throw new ValidationError('Nothing to change: give begin, end, or a reason for an exception', [{ path: 'body', message: 'no change' }]);
    if (next.begin && next.end && Date.parse(next.end) <= Date.parse(next.begin)) {
      throw new ValidationError('end must be after begin', [{ path: 'body.end', message: 'must be after begin' }]);
    }
    const fields = { evvBegin: next.begin, evvEnd: next.end, exceptions: next.exceptions, evvChanges: next.changes };
    const updated: StoredVisit = { ...visit, ...fields, evvBegin: next.begin ?? undefined, evvEnd: next.end ?? undefined, version: visit.version + 1, updatedAt: ctx.now };
    await this.repo.commit(
      ctx,
      { visit: this.repo.visitUpdateItem(ctx, visit, { ...fields, auditAction: 'evv_maintenance' }) },
      updated,
      { visit: () => new VersionConflictError() },
    );
    return evvRecord(evvSource(updated));
  }

  /** The org's EVV records of local days [from, to] (one Query per day): exportable ones, and what the others miss. */
  async exportEvv(caller: Caller, ctx: WriteContext, query: EvvExportQuery): Promise<EvvExport | string> {
    const days: string[] = [];
    for (let d = query.from; d <= query.to && days.length <= MAX_EXPORT_DAYS; d = addDays(d, 1)) days.push(d);
    if (query.to < query.from || days.length > MAX_EXPORT_DAYS) {
      throw new ValidationError('from..to is 1 to 31 local days', [{ path: 'query.to', message: 'at most 31 days after from, not before it' }]);
    }
    const visits = (await this.repo.visitsOnDays(caller.orgId, days))
      .filter((v) => v.status !== 'cancelled')
      .sort((a, b) => a.scheduledStart.localeCompare(b.scheduledStart) || a.id.localeCompare(b.id));
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'EvvRecord', entityId: `org:${caller.orgId}:${query.from}..${query.to}` });
    const out: EvvExport = { visits: [], incomplete: [] };
    for (const v of visits) {
      const record = evvRecord(evvSource(v));
      const missing = missingElements(record);
      if (missing.length) out.incomplete.push({ visitId: v.id, missing });
      else out.visits.push(record);
    }
    return query.format === 'csv' ? evvCsv(out.visits) : out;
  }

  // ---- the aide's day ---------------------------------------------------------------------------

  /** The aide's bookings of a local day (any kind: visits, respite sessions) as a route. */
  async myRoute(ctx: WriteContext, date: string): Promise<DayRoute> {
    const aide = await this.repo.getAide(ctx.orgId, ctx.actorId);
    if (!aide) throw new NotFoundError('You have no aide profile yet; staff create it');
    const { travelSpeedKmh } = await this.settings.settings(ctx.orgId);
    const from = startOfLocalDay(date, aide.timezone).toISOString();
    const to = startOfLocalDay(addDays(date, 1), aide.timezone).toISOString();
    const calendar = await this.repo.calendars.window(ctx.orgId, aideOwner(aide.userId), [[from, to]]);
    const entries = calendar.entries().filter((e) => e.start < to && e.end > from);
    const { stops, totals } = routeLegs(entries, aide.homeBase, travelSpeedKmh);
    return { date, timezone: aide.timezone, stops, totals };
  }

  // ---- supplies -------------------------------------------------------------------------------

  async createSupply(ctx: WriteContext, body: CreateSupplyBody, idem?: IdempotencyRequest): Promise<Supply> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Supply;
    const supply: Supply = { id: ulid(Date.parse(ctx.now)), ...body, version: 1, createdAt: ctx.now, updatedAt: ctx.now };
    return this.repo.createSupply(ctx, supply, idem);
  }

  listSupplies(caller: Caller, query: SupplyListQuery): Promise<Page<Supply>> {
    return this.repo.listSupplies(caller.orgId, query.below === 'reorder', query);
  }

  async adjustSupply(ctx: WriteContext, supplyId: string, body: AdjustSupplyBody, idem?: IdempotencyRequest): Promise<SupplyMovement> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as SupplyMovement;
    if (!(await this.repo.getSupply(ctx.orgId, supplyId))) throw new NotFoundError('Supply not found');
    const move: SupplyMovement = { id: ulid(Date.parse(ctx.now)), supplyId, delta: body.delta, reason: body.reason, by: ctx.actorId, at: ctx.now };
    const parts = { stock: this.repo.stockMoveItem(ctx, supplyId, body.delta), adjustment: this.repo.adjustmentItem(ctx, move) };
    return this.repo.commit(ctx, parts, move, { stock: notEnoughStock }, idem);
  }

  async useSupply(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: UseSupplyBody, idem?: IdempotencyRequest): Promise<SupplyMovement> {
    const visit = await this.assignedAidesVisit(caller, patientId, visitId);
    if (!LOGGABLE.includes(visit.status)) throw new InvalidTransitionError(`Supplies cannot be used on a ${visit.status} visit`);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as SupplyMovement;
    if (!(await this.repo.getSupply(ctx.orgId, body.supplyId))) throw new NotFoundError('Supply not found');
    const move = { id: ulid(Date.parse(ctx.now)), supplyId: body.supplyId, delta: -body.quantity, visitId, patientId, by: ctx.actorId, at: ctx.now };
    return this.repo.commit(
      ctx,
      { visit: this.repo.visitGuard(ctx.orgId, visit, LOGGABLE), stock: this.repo.stockMoveItem(ctx, body.supplyId, -body.quantity), usage: this.repo.usageItem(ctx, move) },
      move,
      { visit: () => new InvalidTransitionError('The visit changed meanwhile'), stock: notEnoughStock },
      idem,
    );
  }

  async listVisitSupplies(caller: Caller, patientId: string, visitId: string, page: PageRequest): Promise<Page<SupplyMovement>> {
    if (isStaff(caller)) await this.visitFor(caller, patientId, visitId);
    else await this.assignedAidesVisit(caller, patientId, visitId);
    return this.repo.listVisitSupplies(caller.orgId, patientId, visitId, page);
  }

  // ---- service logs ---------------------------------------------------------------------------

  async addLog(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, body: CreateServiceLogBody, idem?: IdempotencyRequest): Promise<ServiceLog> {
    const visit = await this.assignedAidesVisit(caller, patientId, visitId);
    if (!LOGGABLE.includes(visit.status)) throw new InvalidTransitionError(`A ${visit.status} visit takes no service log`);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as ServiceLog;
    const log: ServiceLog = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      visitId,
      description: body.description,
      tasksCompleted: body.tasksCompleted ?? [],
      ...(body.serviceMinutes !== undefined ? { serviceMinutes: body.serviceMinutes } : {}),
      authorId: ctx.actorId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.commit(
      ctx,
      { visit: this.repo.visitGuard(ctx.orgId, visit, LOGGABLE), log: this.repo.serviceLogItem(ctx, log) },
      log,
      { visit: () => new InvalidTransitionError('The visit changed meanwhile') },
      idem,
    );
  }

  async listLogs(caller: Caller, patientId: string, visitId: string, page: PageRequest): Promise<Page<ServiceLog>> {
    await this.visitFor(caller, patientId, visitId);
    return this.repo.listLogs(caller.orgId, patientId, visitId, page);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The visit, for a caller who may see its patient (404 otherwise, and for another org's). */
  private async visitFor(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const visit = await this.repo.getVisit(caller.orgId, patientId, visitId);
    if (!visit) throw new NotFoundError('Visit not found');
    return visit;
  }

  /** Only the assigned aide moves a visit forward: another aide who sees the patient gets 403. */
  private async assignedAidesVisit(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit> {
    const visit = await this.visitFor(caller, patientId, visitId);
    if (visit.aideId !== caller.userId) throw new ForbiddenError('Only the aide assigned to this visit may do this');
    return visit;
  }

  private async aideUser(orgId: string, aideId: string): Promise<User> {
    const user = await this.people.getUser(orgId, aideId);
    if (!user || user.role !== 'aide') throw new NotFoundError('Aide not found');
    return user;
  }

  /** The care-team join when the aide is not on the team (written in the booking's transaction). */
  private async joinItems(ctx: WriteContext, patientId: string, aide: User): Promise<{ careTeamJoin?: TransactItem }> {
    return (await this.repo.isOnCareTeam(ctx.orgId, patientId, aide.userId)) ? {} : { careTeamJoin: this.repo.careTeamJoinItem(ctx, patientId, aide) };
  }

  /** Twice at most: a parallel request may put the aide on the care team between read and write. */
  private async withJoinRetry<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof JoinedMeanwhile) return run();
      throw err;
    }
  }

  private checkTime(ctx: WriteContext, at: string | undefined): string {
    if (!at) return ctx.now;
    if (Date.parse(at) > Date.parse(ctx.now) + MAX_FUTURE_SKEW_MS) {
      throw new ValidationError('at is in the future', [{ path: 'body.at', message: 'must not be more than 5 minutes ahead' }]);
    }
    return new Date(at).toISOString();
  }
}

const notEnoughStock = () => new ConflictError('Not enough in stock', [{ path: 'quantity', message: 'would go below zero' }]);

/** A visit's entry on its aide's calendar: the planned time at the visit's place. */
export const visitEntry = (v: Pick<StoredVisit, 'id' | 'scheduledStart' | 'scheduledEnd' | 'patientId' | 'location'>) =>
  aideEntry('visit', v.id, v.scheduledStart, v.scheduledEnd, v.patientId, v.location);

/** The EVV source of a stored visit. */
export function evvSource(v: StoredVisit): EvvSource {
  return {
    visitId: v.id,
    serviceType: v.serviceType,
    patientId: v.patientId,
    patientName: v.patientName,
    timezone: v.timezone,
    scheduledStart: v.scheduledStart,
    location: v.location,
    aideId: v.aideId ?? null,
    aideName: v.aideName ?? null,
    begin: v.evvBegin ?? null,
    end: v.evvEnd ?? null,
    exceptions: v.exceptions,
    changes: v.evvChanges,
    status: v.status,
    version: v.version,
  };
}
