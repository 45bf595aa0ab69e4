import { ulid } from 'ulid';
import type { CheckBody, CreateVisitBody, DayRoute, EvvExport, EvvExportQuery, EvvRecord, OrgVisitsQuery, PatchEvvBody, PatientVisitsQuery, Visit } from '../../schemas/home-health.js';
import type { User } from '../../schemas/identity.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import type { CalendarChange } from '../shared/calendar/calendar-repository.js';
import type { Page } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../shared/errors.js';
import type { OrgSettingsReader } from '../shared/people/org-settings.js';
import { aheadOfServer } from '../shared/scheduling/timing.js';
import { addDays, localDate, startOfLocalDay } from '../shared/scheduling/zoned-time.js';
import { AIDE_BOOKING_MARGIN_MINUTES, aideBooking, aideEntry, travelGap } from '../shared/visits/aide-calendar.js';
import { evvCsv, evvRecord, maintain, missingElements, recordCheck, type EvvSource } from '../shared/visits/evv.js';
import { distanceKm, round1 } from '../shared/visits/geo.js';
import type { AideRepository } from './aide-repository.js';
import type { People } from './aide-service.js';
import { ASSIGNABLE, CANCELLABLE, placeBefore, rankSuggestions, routeLegs, switchedOn, withinWeeklyAvailability } from './rules.js';
import { publicVisit, type StoredVisit, type VisitRepository } from './visit-repository.js';
import type { VisitSchedules } from './visit-work.js';

const DEFAULT_GEOFENCE_METERS = 150;
const MAX_EXPORT_DAYS = 31;
const shiftIso = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** A visit read for a caller: what supplies and service logs ask before they write on a visit. */
export interface VisitAccess {
  /** The visit, for a caller who may see its patient (404 otherwise). */
  visitFor(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit>;
  /** The visit, for its assigned aide only (another aide who sees the patient: 403). */
  assignedAidesVisit(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit>;
}

/**
 * Home visits with their EVV, and the aide's day as a route (API.md, "Aides, home visits and electronic visit verification"): the
 * rules and the access decisions; the transactions are VisitRepository's. Every aide booking goes
 * through the shared aide calendar (lambdas/shared/visits/aide-calendar.ts), EVV decisions through
 * the shared evv.ts; schedules through VisitSchedules after the table has committed (a fire
 * re-checks the visit, so a schedule left behind by a failure does nothing). No HTTP, no SDK.
 */
export class VisitService implements VisitAccess {
  constructor(
    private readonly visits: VisitRepository,
    private readonly aides: Pick<AideRepository, 'getAide' | 'aidesWithSkills' | 'calendar'>,
    private readonly policy: AccessPolicy,
    private readonly people: People,
    private readonly settings: OrgSettingsReader,
    private readonly schedules: VisitSchedules,
  ) {}

  async createVisit(caller: Caller, ctx: WriteContext, patientId: string, body: CreateVisitBody, idem?: IdempotencyRequest): Promise<Visit> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.visits.replay(ctx, idem);
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
    if (!body.aideId) return this.visits.create(ctx, visit, publicVisit(visit), undefined, idem);
    const aide = await this.aideUser(ctx.orgId, body.aideId);
    const assigned: StoredVisit = { ...visit, status: 'assigned', aideId: aide.userId, aideName: aide.displayName };
    const booking = { changes: [aideBooking(aide.userId, { add: [visitEntry(assigned)] }, travelSpeedKmh)], aide };
    const stored = await this.visits.create(ctx, assigned, publicVisit(assigned), booking, idem);
    // A replay answers the first request's visit, whose own request set its checks.
    if (stored.id === assigned.id) await this.schedules.sync(ctx.orgId, assigned, ctx.now);
    return stored;
  }

  async listPatientVisits(caller: Caller, patientId: string, query: PatientVisitsQuery): Promise<Page<Visit>> {
    const page = await this.policy.readAsViewer(caller, patientId, () => this.visits.listPatientVisits(caller.orgId, patientId, query.from, query.to, query), 'existing');
    return { items: page.items.map(publicVisit), nextCursor: page.nextCursor };
  }

  async listDayVisits(caller: Caller, query: OrgVisitsQuery): Promise<Page<Visit>> {
    const page = await this.visits.listDayVisits(caller.orgId, query.date, query.status, query);
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
    const candidates = (await this.aides.aidesWithSkills(caller.orgId, visit.requiredSkills)).filter(
      (a) =>
        visit.requiredSkills.every((s) => a.skills.includes(s)) &&
        switchedOn(a, visit.scheduledStart, visit.scheduledEnd) &&
        withinWeeklyAvailability(a.availability, a.timezone, visit.scheduledStart, visit.scheduledEnd) &&
        distanceKm(a.homeBase, visit.location) <= a.serviceRadiusKm,
    );
    const window: [string, string] = [shiftIso(visit.scheduledStart, -AIDE_BOOKING_MARGIN_MINUTES), shiftIso(visit.scheduledEnd, AIDE_BOOKING_MARGIN_MINUTES)];
    const ranked = await Promise.all(
      candidates.map(async (a) => {
        const calendar = await this.aides.calendar(caller.orgId, a.userId, [window]);
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
    await this.visits.update(ctx, visit, { status: 'assigned', aideId, aideName: aide.displayName, auditAction: 'assign' }, next, { changes, aide });
    await this.schedules.sync(ctx.orgId, next, ctx.now);
    return publicVisit(next);
  }

  async cancel(caller: Caller, ctx: WriteContext, patientId: string, visitId: string, reason: string): Promise<Visit> {
    const visit = await this.visitFor(caller, patientId, visitId);
    if (!CANCELLABLE.includes(visit.status)) throw new InvalidTransitionError(`A ${visit.status} visit cannot be cancelled`);
    const next: StoredVisit = { ...visit, status: 'cancelled', cancelReason: reason, version: visit.version + 1, updatedAt: ctx.now };
    const fields = { status: 'cancelled', cancelReason: reason, auditAction: 'cancel' };
    if (visit.aideId) {
      const { travelSpeedKmh } = await this.settings.settings(ctx.orgId);
      await this.visits.update(ctx, visit, fields, next, { changes: [aideBooking(visit.aideId, { remove: [visitEntry(visit)] }, travelSpeedKmh)] });
    } else {
      await this.visits.update(ctx, visit, fields, next);
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
    await this.visits.update(ctx, visit, { status: 'in_progress', checkIn: check, exceptions, evvBegin: at, auditAction: 'check_in' }, next);
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
    await this.visits.update(ctx, visit, { status: 'completed', checkOut: check, exceptions, evvEnd: at, auditAction: 'check_out' }, next);
    return publicVisit(next);
  }

  // ---- EVV ------------------------------------------------------------------------------------

  async evv(caller: Caller, ctx: WriteContext, patientId: string, visitId: string): Promise<EvvRecord> {
    const visit = await this.visitFor(caller, patientId, visitId);
    await this.visits.recordEvvRead(ctx, visit.id, patientId);
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
    await this.visits.update(ctx, visit, { ...fields, auditAction: 'evv_maintenance' }, updated, undefined, () => new VersionConflictError());
    return evvRecord(evvSource(updated));
  }

  /** The org's EVV records of local days [from, to] (one Query per day): exportable ones, and what the others miss. */
  async exportEvv(caller: Caller, ctx: WriteContext, query: EvvExportQuery): Promise<EvvExport | string> {
    const days: string[] = [];
    for (let d = query.from; d <= query.to && days.length <= MAX_EXPORT_DAYS; d = addDays(d, 1)) days.push(d);
    if (query.to < query.from || days.length > MAX_EXPORT_DAYS) {
      throw new ValidationError('from..to is 1 to 31 local days', [{ path: 'query.to', message: 'at most 31 days after from, not before it' }]);
    }
    const visits = (await this.visits.visitsOnDays(caller.orgId, days))
      .filter((v) => v.status !== 'cancelled')
      .sort((a, b) => a.scheduledStart.localeCompare(b.scheduledStart) || a.id.localeCompare(b.id));
    await this.visits.recordEvvRead(ctx, `org:${caller.orgId}:${query.from}..${query.to}`);
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
    const aide = await this.aides.getAide(ctx.orgId, ctx.actorId);
    if (!aide) throw new NotFoundError('You have no aide profile yet; staff create it');
    const { travelSpeedKmh } = await this.settings.settings(ctx.orgId);
    const from = startOfLocalDay(date, aide.timezone).toISOString();
    const to = startOfLocalDay(addDays(date, 1), aide.timezone).toISOString();
    const calendar = await this.aides.calendar(ctx.orgId, aide.userId, [[from, to]]);
    const entries = calendar.entries().filter((e) => e.start < to && e.end > from);
    const { stops, totals } = routeLegs(entries, aide.homeBase, travelSpeedKmh);
    return { date, timezone: aide.timezone, stops, totals };
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The visit, for a caller who may see its patient (404 otherwise, and for another org's). */
  async visitFor(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const visit = await this.visits.getVisit(caller.orgId, patientId, visitId);
    if (!visit) throw new NotFoundError('Visit not found');
    return visit;
  }

  /** Only the assigned aide moves a visit forward: another aide who sees the patient gets 403. */
  async assignedAidesVisit(caller: Caller, patientId: string, visitId: string): Promise<StoredVisit> {
    const visit = await this.visitFor(caller, patientId, visitId);
    if (visit.aideId !== caller.userId) throw new ForbiddenError('Only the aide assigned to this visit may do this');
    return visit;
  }

  private async aideUser(orgId: string, aideId: string): Promise<User> {
    const user = await this.people.getUser(orgId, aideId);
    if (!user || user.role !== 'aide') throw new NotFoundError('Aide not found');
    return user;
  }

  private checkTime(ctx: WriteContext, at: string | undefined): string {
    if (!at) return ctx.now;
    if (aheadOfServer(at, new Date(ctx.now))) {
      throw new ValidationError('at is in the future', [{ path: 'body.at', message: 'must not be more than 5 minutes ahead' }]);
    }
    return new Date(at).toISOString();
  }
}

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
