import { ulid } from 'ulid';
import type { Appointment, BookAppointmentBody, PatientAppointmentsQuery, Provider, ProviderAppointmentsQuery, RescheduleAppointmentBody } from '../../../schemas/concierge.js';
import { hasAnyRole, isStaff, type Caller } from '../../shared/auth/caller.js';
import type { AccessPolicy } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/data/db.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { deleteAll, putAll } from '../../shared/scheduling/schedule-writes.js';
import type { OneTimeSchedule, Scheduler } from '../../shared/scheduling/scheduler.js';
import { REMINDERS } from '../../shared/scheduling/timing.js';
import type { People } from '../context.js';
import { CONCIERGE_SCHEDULE_NAMES, type AppointmentNoticePayload } from '../notices.js';
import type { ProviderRepository } from '../providers/repository.js';
import { appointmentMinutes, CHECK_IN_OPENS_MINUTES, dueNotices, isSlot } from '../rules.js';
import type { AppointmentRepository } from './repository.js';

const MINUTE = 60_000;

/**
 * Appointments (API.md, "Medical concierge"): booking on the provider's and the patient's
 * calendars, and the life of a booking. No HTTP, no SDK.
 *
 * Table and schedules (docs/scheduling.md): a booking's notices are put before the booking commits
 * (their names carry the appointment id and start) and removed if it fails; a reschedule puts the
 * new start's notices first and removes the old start's after; cancel, complete and no-show remove
 * what is left. A notice that outlives its purpose (a removal that failed) finds the appointment
 * cancelled or moved when it fires and sends nothing.
 */
export class AppointmentService {
  /** Removals after the write only log a failure: a schedule left behind finds nothing to do when it fires. */
  private readonly quiet: { logger: Logger };

  constructor(
    private readonly repo: AppointmentRepository,
    private readonly providers: Pick<ProviderRepository, 'getProvider'>,
    private readonly policy: AccessPolicy,
    private readonly people: People,
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {
    this.quiet = { logger };
  }

  async book(caller: Caller, ctx: WriteContext, patientId: string, body: BookAppointmentBody, idem?: IdempotencyRequest): Promise<Appointment> {
    await this.policy.assertCanSeePatient(caller, patientId);
    if (body.override && !isStaff(caller)) throw new ForbiddenError('Only staff may override availability and notice');
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Appointment;
    const provider = await this.providers.getProvider(ctx.orgId, body.providerId, true);
    if (!provider || !provider.isActive) throw new NotFoundError('Provider not found');
    const duration = appointmentMinutes(provider, body.durationMinutes, 'body.durationMinutes');
    const startAt = new Date(body.startAt);
    if (!body.override) assertSlot(provider, startAt, duration, ctx.now);
    const appointment: Appointment = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      providerId: provider.id,
      startAt: startAt.toISOString(),
      endAt: new Date(startAt.getTime() + duration * MINUTE).toISOString(),
      durationMinutes: duration,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      ...(body.location !== undefined ? { location: body.location } : {}),
      ...(body.override ? { override: true } : {}),
      status: 'booked',
      bookedBy: ctx.actorId,
      bookedAt: ctx.now,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    const onTeam = await this.people.isCareTeamMember(ctx.orgId, patientId, provider.id);
    const member = onTeam ? undefined : await this.people.getUser(ctx.orgId, provider.id);
    const notices = noticesOf(ctx, appointment);
    await putAll(this.scheduler, notices, this.logger);
    let stored: Appointment;
    try {
      stored = await this.repo.book(ctx, appointment, { providerId: provider.id, patientId, bufferMinutes: body.override ? 0 : provider.bufferMinutes }, member, idem);
    } catch (err) {
      await deleteAll(this.scheduler, notices.map((n) => n.name));
      throw err;
    }
    // A parallel request with the same Idempotency-Key won: its appointment has its own notices.
    if (stored.id !== appointment.id) await deleteAll(this.scheduler, notices.map((n) => n.name));
    return stored;
  }

  async getAppointment(caller: Caller, patientId: string, appointmentId: string): Promise<Appointment> {
    return this.load(caller, patientId, appointmentId, false);
  }

  async listPatientAppointments(caller: Caller, ctx: WriteContext, patientId: string, query: PatientAppointmentsQuery): Promise<Page<Appointment>> {
    const from = new Date(query.from ?? ctx.now).toISOString();
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listForPatient(ctx.orgId, patientId, from, query.status, query), 'existing');
  }

  /** The provider themself, or staff. */
  async listProviderAppointments(caller: Caller, ctx: WriteContext, providerId: string, query: ProviderAppointmentsQuery): Promise<Page<Appointment>> {
    const provider = await this.providers.getProvider(ctx.orgId, providerId);
    if (!provider) throw new NotFoundError('Provider not found');
    if (!isStaff(caller) && caller.userId !== providerId) throw new ForbiddenError("Only the provider or staff see a provider's appointments");
    const from = new Date(query.from ?? ctx.now).toISOString();
    const to = query.to ? new Date(query.to).toISOString() : undefined;
    if (to && to <= from) throw new ValidationError('to must be after from', [{ path: 'query.to', message: 'must be after from' }]);
    return this.repo.listForProvider(ctx.orgId, providerId, from, to, query);
  }

  /** The patient, family on the care team, staff, the provider; before the start. */
  async cancel(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, reason: string): Promise<Appointment> {
    const current = await this.load(caller, patientId, appointmentId, true);
    const mayCancel = isStaff(caller) || caller.userId === current.providerId || hasAnyRole(caller, ['patient', 'family']);
    if (!mayCancel) throw new ForbiddenError('Only the patient, their family, staff or the provider may cancel');
    if (current.status !== 'booked' && current.status !== 'checked_in') throw new InvalidTransitionError(`A ${current.status} appointment cannot be cancelled`);
    if (Date.parse(ctx.now) >= Date.parse(current.startAt)) throw new InvalidTransitionError('An appointment can be cancelled only before it starts');
    const cancelled = await this.repo.cancel(ctx, current, { status: 'cancelled', cancelledBy: ctx.actorId, cancelledAt: ctx.now, cancelReason: reason }, ['booked', 'checked_in']);
    await deleteAll(this.scheduler, noticeNames(current), this.quiet);
    return cancelled;
  }

  /** As for booking (one step: the old time stays booked if the new one fails). */
  async reschedule(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, body: RescheduleAppointmentBody): Promise<Appointment> {
    const current = await this.load(caller, patientId, appointmentId, true);
    if (body.override && !isStaff(caller)) throw new ForbiddenError('Only staff may override availability and notice');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be rescheduled`);
    if (Date.parse(ctx.now) >= Date.parse(current.startAt)) throw new InvalidTransitionError('An appointment can be rescheduled only before it starts');
    const provider = await this.providers.getProvider(ctx.orgId, current.providerId, true);
    if (!provider || !provider.isActive) throw new ConflictError('The provider no longer takes appointments');
    const duration = appointmentMinutes(provider, body.durationMinutes ?? current.durationMinutes, 'body.durationMinutes');
    const startAt = new Date(body.startAt);
    if (!body.override) assertSlot(provider, startAt, duration, ctx.now);
    const next = { startAt: startAt.toISOString(), endAt: new Date(startAt.getTime() + duration * MINUTE).toISOString(), durationMinutes: duration };
    if (next.startAt === current.startAt && next.endAt === current.endAt) return current;
    const notices = noticesOf(ctx, { ...current, ...next });
    await putAll(this.scheduler, notices, this.logger);
    let moved: Appointment;
    try {
      moved = await this.repo.reschedule(ctx, current, next, { providerId: provider.id, patientId, bufferMinutes: body.override ? 0 : provider.bufferMinutes });
    } catch (err) {
      if (next.startAt !== current.startAt) await deleteAll(this.scheduler, notices.map((n) => n.name), this.quiet);
      throw err;
    }
    if (next.startAt !== current.startAt) await deleteAll(this.scheduler, noticeNames(current), this.quiet);
    return moved;
  }

  /** Staff or the provider, from 30 minutes before the start. */
  async checkIn(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string): Promise<Appointment> {
    const current = await this.load(caller, patientId, appointmentId, true);
    if (!isStaff(caller) && caller.userId !== current.providerId) throw new ForbiddenError('Only staff or the provider may check a patient in');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be checked in`);
    if (Date.parse(ctx.now) < Date.parse(current.startAt) - CHECK_IN_OPENS_MINUTES * MINUTE) {
      throw new InvalidTransitionError(`Check-in opens ${CHECK_IN_OPENS_MINUTES} minutes before the start`);
    }
    const out = await this.repo.transition(ctx, current, { status: 'checked_in', checkedInBy: ctx.actorId, checkedInAt: ctx.now }, 'check_in');
    await deleteAll(this.scheduler, noticeNames(current), this.quiet);
    return out;
  }

  /** The provider, after check-in. */
  async complete(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, summary: string | undefined): Promise<Appointment> {
    const current = await this.load(caller, patientId, appointmentId, true);
    if (caller.userId !== current.providerId) throw new ForbiddenError('Only the provider may complete the appointment');
    if (current.status !== 'checked_in') throw new InvalidTransitionError('Only a checked-in appointment can be completed');
    const out = await this.repo.transition(
      ctx,
      current,
      { status: 'completed', completedBy: ctx.actorId, completedAt: ctx.now, ...(summary !== undefined ? { summary } : {}) },
      'complete',
    );
    await deleteAll(this.scheduler, noticeNames(current), this.quiet);
    return out;
  }

  /** Staff or the provider, after the start and before check-in. */
  async noShow(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string): Promise<Appointment> {
    const current = await this.load(caller, patientId, appointmentId, true);
    if (!isStaff(caller) && caller.userId !== current.providerId) throw new ForbiddenError('Only staff or the provider may record a no-show');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be a no-show`);
    if (Date.parse(ctx.now) < Date.parse(current.startAt)) throw new InvalidTransitionError('A no-show is recorded only after the start');
    const out = await this.repo.transition(ctx, current, { status: 'no_show', noShowBy: ctx.actorId, noShowAt: ctx.now }, 'no_show');
    await deleteAll(this.scheduler, noticeNames(current), this.quiet);
    return out;
  }

  /** The appointment, if the caller may see the patient or is its provider (404 otherwise). */
  private async load(caller: Caller, patientId: string, appointmentId: string, consistent: boolean): Promise<Appointment> {
    const [appointment, sees] = await Promise.all([
      this.repo.getAppointment(caller.orgId, patientId, appointmentId, consistent),
      this.policy.canSeePatient(caller, patientId),
    ]);
    if (!appointment || (!sees && appointment.providerId !== caller.userId)) throw new NotFoundError('Appointment not found');
    return appointment;
  }
}

function assertSlot(provider: Provider, startAt: Date, duration: number, now: string): void {
  if (!isSlot(provider, startAt, duration, new Date(now))) {
    throw new ConflictError('Not a slot of the provider (grid, availability, notice or horizon)', [
      { path: 'body.startAt', message: 'must be a free slot (GET /providers/{providerId}/slots)' },
    ]);
  }
}

/** The notices still due for an appointment at its start, named by its id and start. */
function noticesOf(ctx: WriteContext, a: Pick<Appointment, 'id' | 'patientId' | 'startAt'>): OneTimeSchedule[] {
  return dueNotices(a.startAt, new Date(ctx.now)).map(({ notice, at }) => {
    const payload: AppointmentNoticePayload = { kind: 'appointment-notice', orgId: ctx.orgId, patientId: a.patientId, appointmentId: a.id, notice, startAt: a.startAt };
    return { name: CONCIERGE_SCHEDULE_NAMES.appointmentNotice(a.id, a.startAt, notice), at, payload };
  });
}

function noticeNames(a: Pick<Appointment, 'id' | 'startAt'>): string[] {
  return REMINDERS.map((r) => CONCIERGE_SCHEDULE_NAMES.appointmentNotice(a.id, a.startAt, r.which));
}
