import { ulid } from 'ulid';
import type {
  Appointment,
  BookAppointmentBody,
  CorrectLabResultBody,
  CreateLabResultBody,
  CreateProviderBody,
  CreateTreatmentPlanBody,
  LabResult,
  LabResultListQuery,
  PatientAppointmentsQuery,
  PlanStatus,
  Provider,
  ProviderAppointmentsQuery,
  ProviderListQuery,
  RescheduleAppointmentBody,
  Slot,
  SlotQuery,
  TreatmentPlan,
  TreatmentPlanListQuery,
  UpdateProviderBody,
  UpdateTreatmentPlanBody,
} from '../../schemas/concierge.js';
import type { User } from '../../schemas/identity.js';
import { hasAnyRole, isStaff, type Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Page } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, ValidationError, VersionConflictError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { scheduleNames, type OneTimeSchedule, type Scheduler } from '../shared/scheduling/scheduler.js';
import type { AppointmentNoticePayload, LabEscalationPayload } from './notices.js';
import type { ConciergeRepository } from './repository.js';
import { canPlanTransition, CHECK_IN_OPENS_MINUTES, dueNotices, freeSlots, isCritical, isFinalPlan, isSlot, labFlag, NOTICE_OFFSETS, type NoticeKind } from './rules.js';

/** What the concierge needs of identity: users (a provider's profile, a care-team entry). */
export interface People {
  getUser(orgId: string, userId: string): Promise<User | undefined>;
  isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean>;
}

/** The org's escalation delay (OrgSettingsRepository). */
export interface EscalationSettings {
  settings(orgId: string): Promise<{ criticalEscalationMinutes: number }>;
}

const MINUTE = 60_000;
const MAX_SLOT_WINDOW_MS = 31 * 24 * 60 * MINUTE;
/** Who sees every lab result and plan of a patient they may see; patient and family see published ones only. */
const CLINICAL_READERS = ['admin', 'coordinator', 'aide', 'clinician'] as const;

/**
 * The medical concierge use cases (API.md, "Medical concierge"). No HTTP, no SDK.
 *
 * Table and schedules (docs/scheduling.md): a booking's notices are put before the booking commits
 * (their names carry the appointment id and start) and removed if it fails; a reschedule puts the
 * new start's notices first and removes the old start's after; cancel, complete and no-show remove
 * what is left. A notice that outlives its purpose (a removal that failed) finds the appointment
 * cancelled or moved when it fires and sends nothing.
 */
export class ConciergeService {
  constructor(
    private readonly repo: ConciergeRepository,
    private readonly policy: AccessPolicy,
    private readonly people: People,
    private readonly org: EscalationSettings,
    private readonly scheduler: Scheduler,
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  // ---- providers -----------------------------------------------------------------------------

  async createProvider(ctx: WriteContext, body: CreateProviderBody, idem?: IdempotencyRequest): Promise<Provider> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Provider;
    const user = await this.people.getUser(ctx.orgId, body.userId);
    if (!user) throw new NotFoundError('User not found');
    if (user.role !== 'clinician') throw new ValidationError('A provider is a clinician', [{ path: 'body.userId', message: 'must be a clinician user of the org' }]);
    const provider: Provider = {
      id: user.userId,
      providerId: user.userId,
      displayName: user.displayName,
      specialty: body.specialty,
      ...(body.clinic !== undefined ? { clinic: body.clinic } : {}),
      ...(body.contact !== undefined ? { contact: body.contact } : {}),
      timezone: body.timezone,
      availability: body.availability,
      slotMinutes: body.slotMinutes,
      bufferMinutes: body.bufferMinutes ?? 0,
      minNoticeMinutes: body.minNoticeMinutes ?? 60,
      horizonDays: body.horizonDays ?? 90,
      isActive: true,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createProvider(ctx, provider, idem);
  }

  async getProvider(caller: Caller, providerId: string): Promise<Provider> {
    const provider = await this.repo.getProvider(caller.orgId, providerId);
    if (!provider) throw new NotFoundError('Provider not found');
    return provider;
  }

  listProviders(caller: Caller, query: ProviderListQuery): Promise<Page<Provider>> {
    return this.repo.listProviders(caller.orgId, query.specialty, query);
  }

  /** Admin, or the provider themself; booked appointments stay as they are. */
  async updateProvider(caller: Caller, ctx: WriteContext, providerId: string, body: UpdateProviderBody): Promise<Provider> {
    const current = await this.repo.getProvider(caller.orgId, providerId, true);
    if (!current) throw new NotFoundError('Provider not found');
    if (!caller.roles.includes('admin') && caller.userId !== providerId) throw new ForbiddenError('Only an admin or the provider may change this profile');
    if (body.version !== current.version) throw new VersionConflictError();
    const { version, ...changes } = body;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<Provider>;
    return this.repo.updateProvider(ctx, current, defined, version);
  }

  /** Free slots in [from, to): reads the provider's calendar days of that window only. */
  async slots(caller: Caller, ctx: WriteContext, providerId: string, query: SlotQuery): Promise<Page<Slot>> {
    const provider = await this.getProvider(caller, providerId);
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (to <= from) throw new ValidationError('to must be after from', [{ path: 'query.to', message: 'must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_SLOT_WINDOW_MS) throw new ValidationError('The window is longer than 31 days', [{ path: 'query.to', message: 'at most 31 days after from' }]);
    const duration = this.duration(provider, query.durationMinutes, 'query.durationMinutes');
    if (!provider.isActive) return { items: [], nextCursor: null };
    const after = query.cursor ? decodeSlotCursor(query.cursor) : undefined;
    const margin = provider.bufferMinutes + duration;
    const booked = await this.repo.bookedEntries(ctx.orgId, providerId, new Date(from.getTime() - margin * MINUTE).toISOString(), new Date(to.getTime() + margin * MINUTE).toISOString());
    const all = freeSlots(provider, { from, to, durationMinutes: duration, now: new Date(ctx.now) }, booked).filter((s) => !after || s.startAt > after);
    const items = all.slice(0, query.limit);
    return { items, nextCursor: all.length > query.limit ? Buffer.from(items.at(-1)!.startAt).toString('base64url') : null };
  }

  // ---- appointments --------------------------------------------------------------------------

  async book(caller: Caller, ctx: WriteContext, patientId: string, body: BookAppointmentBody, idem?: IdempotencyRequest): Promise<Appointment> {
    await this.policy.assertCanSeePatient(caller, patientId);
    if (body.override && !isStaff(caller)) throw new ForbiddenError('Only staff may override availability and notice');
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Appointment;
    const provider = await this.repo.getProvider(ctx.orgId, body.providerId, true);
    if (!provider || !provider.isActive) throw new NotFoundError('Provider not found');
    const duration = this.duration(provider, body.durationMinutes, 'body.durationMinutes');
    const startAt = new Date(body.startAt);
    if (!body.override) this.assertSlot(provider, startAt, duration, ctx.now);
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
    const notices = this.notices(ctx, appointment);
    await this.putAll(notices);
    let stored: Appointment;
    try {
      stored = await this.repo.book(ctx, appointment, { providerId: provider.id, patientId, bufferMinutes: body.override ? 0 : provider.bufferMinutes }, member, idem);
    } catch (err) {
      await this.deleteAll(notices.map((n) => n.name));
      throw err;
    }
    // A parallel request with the same Idempotency-Key won: its appointment has its own notices.
    if (stored.id !== appointment.id) await this.deleteAll(notices.map((n) => n.name));
    return stored;
  }

  async getAppointment(caller: Caller, patientId: string, appointmentId: string): Promise<Appointment> {
    return this.loadAppointment(caller, patientId, appointmentId, false);
  }

  async listPatientAppointments(caller: Caller, ctx: WriteContext, patientId: string, query: PatientAppointmentsQuery): Promise<Page<Appointment>> {
    const from = new Date(query.from ?? ctx.now).toISOString();
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listForPatient(ctx.orgId, patientId, from, query.status, query), 'existing');
  }

  /** The provider themself, or staff. */
  async listProviderAppointments(caller: Caller, ctx: WriteContext, providerId: string, query: ProviderAppointmentsQuery): Promise<Page<Appointment>> {
    const provider = await this.repo.getProvider(ctx.orgId, providerId);
    if (!provider) throw new NotFoundError('Provider not found');
    if (!isStaff(caller) && caller.userId !== providerId) throw new ForbiddenError("Only the provider or staff see a provider's appointments");
    const from = new Date(query.from ?? ctx.now).toISOString();
    const to = query.to ? new Date(query.to).toISOString() : undefined;
    if (to && to <= from) throw new ValidationError('to must be after from', [{ path: 'query.to', message: 'must be after from' }]);
    return this.repo.listForProvider(ctx.orgId, providerId, from, to, query);
  }

  /** The patient, family on the care team, staff, the provider; before the start. */
  async cancel(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, reason: string): Promise<Appointment> {
    const current = await this.loadAppointment(caller, patientId, appointmentId, true);
    const mayCancel = isStaff(caller) || caller.userId === current.providerId || hasAnyRole(caller, ['patient', 'family']);
    if (!mayCancel) throw new ForbiddenError('Only the patient, their family, staff or the provider may cancel');
    if (current.status !== 'booked' && current.status !== 'checked_in') throw new InvalidTransitionError(`A ${current.status} appointment cannot be cancelled`);
    if (Date.parse(ctx.now) >= Date.parse(current.startAt)) throw new InvalidTransitionError('An appointment can be cancelled only before it starts');
    const cancelled = await this.repo.cancel(ctx, current, { status: 'cancelled', cancelledBy: ctx.actorId, cancelledAt: ctx.now, cancelReason: reason }, ['booked', 'checked_in']);
    await this.deleteAll(this.noticeNames(current), true);
    return cancelled;
  }

  /** As for booking (one step: the old time stays booked if the new one fails). */
  async reschedule(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, body: RescheduleAppointmentBody): Promise<Appointment> {
    const current = await this.loadAppointment(caller, patientId, appointmentId, true);
    if (body.override && !isStaff(caller)) throw new ForbiddenError('Only staff may override availability and notice');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be rescheduled`);
    if (Date.parse(ctx.now) >= Date.parse(current.startAt)) throw new InvalidTransitionError('An appointment can be rescheduled only before it starts');
    const provider = await this.repo.getProvider(ctx.orgId, current.providerId, true);
    if (!provider || !provider.isActive) throw new ConflictError('The provider no longer takes appointments');
    const duration = this.duration(provider, body.durationMinutes ?? current.durationMinutes, 'body.durationMinutes');
    const startAt = new Date(body.startAt);
    if (!body.override) this.assertSlot(provider, startAt, duration, ctx.now);
    const next = { startAt: startAt.toISOString(), endAt: new Date(startAt.getTime() + duration * MINUTE).toISOString(), durationMinutes: duration };
    if (next.startAt === current.startAt && next.endAt === current.endAt) return current;
    const notices = this.notices(ctx, { ...current, ...next });
    await this.putAll(notices);
    let moved: Appointment;
    try {
      moved = await this.repo.reschedule(ctx, current, next, { providerId: provider.id, patientId, bufferMinutes: body.override ? 0 : provider.bufferMinutes });
    } catch (err) {
      if (next.startAt !== current.startAt) await this.deleteAll(notices.map((n) => n.name), true);
      throw err;
    }
    if (next.startAt !== current.startAt) await this.deleteAll(this.noticeNames(current), true);
    return moved;
  }

  /** Staff or the provider, from 30 minutes before the start. */
  async checkIn(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string): Promise<Appointment> {
    const current = await this.loadAppointment(caller, patientId, appointmentId, true);
    if (!isStaff(caller) && caller.userId !== current.providerId) throw new ForbiddenError('Only staff or the provider may check a patient in');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be checked in`);
    if (Date.parse(ctx.now) < Date.parse(current.startAt) - CHECK_IN_OPENS_MINUTES * MINUTE) {
      throw new InvalidTransitionError(`Check-in opens ${CHECK_IN_OPENS_MINUTES} minutes before the start`);
    }
    const out = await this.repo.transition(ctx, current, { status: 'checked_in', checkedInBy: ctx.actorId, checkedInAt: ctx.now }, 'check_in');
    await this.deleteAll(this.noticeNames(current), true);
    return out;
  }

  /** The provider, after check-in. */
  async complete(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string, summary: string | undefined): Promise<Appointment> {
    const current = await this.loadAppointment(caller, patientId, appointmentId, true);
    if (caller.userId !== current.providerId) throw new ForbiddenError('Only the provider may complete the appointment');
    if (current.status !== 'checked_in') throw new InvalidTransitionError('Only a checked-in appointment can be completed');
    const out = await this.repo.transition(
      ctx,
      current,
      { status: 'completed', completedBy: ctx.actorId, completedAt: ctx.now, ...(summary !== undefined ? { summary } : {}) },
      'complete',
    );
    await this.deleteAll(this.noticeNames(current), true);
    return out;
  }

  /** Staff or the provider, after the start and before check-in. */
  async noShow(caller: Caller, ctx: WriteContext, patientId: string, appointmentId: string): Promise<Appointment> {
    const current = await this.loadAppointment(caller, patientId, appointmentId, true);
    if (!isStaff(caller) && caller.userId !== current.providerId) throw new ForbiddenError('Only staff or the provider may record a no-show');
    if (current.status !== 'booked') throw new InvalidTransitionError(`A ${current.status} appointment cannot be a no-show`);
    if (Date.parse(ctx.now) < Date.parse(current.startAt)) throw new InvalidTransitionError('A no-show is recorded only after the start');
    const out = await this.repo.transition(ctx, current, { status: 'no_show', noShowBy: ctx.actorId, noShowAt: ctx.now }, 'no_show');
    await this.deleteAll(this.noticeNames(current), true);
    return out;
  }

  /** The appointment, if the caller may see the patient or is its provider (404 otherwise). */
  private async loadAppointment(caller: Caller, patientId: string, appointmentId: string, consistent: boolean): Promise<Appointment> {
    const [appointment, sees] = await Promise.all([
      this.repo.getAppointment(caller.orgId, patientId, appointmentId, consistent),
      this.policy.canSeePatient(caller, patientId),
    ]);
    if (!appointment || (!sees && appointment.providerId !== caller.userId)) throw new NotFoundError('Appointment not found');
    return appointment;
  }

  private duration(provider: Provider, minutes: number | undefined, path: string): number {
    const duration = minutes ?? provider.slotMinutes;
    if (duration % provider.slotMinutes !== 0) {
      throw new ValidationError('durationMinutes must be a multiple of the provider\'s slotMinutes', [{ path, message: `must be a multiple of ${provider.slotMinutes}` }]);
    }
    return duration;
  }

  private assertSlot(provider: Provider, startAt: Date, duration: number, now: string): void {
    if (!isSlot(provider, startAt, duration, new Date(now))) {
      throw new ConflictError('Not a slot of the provider (grid, availability, notice or horizon)', [
        { path: 'body.startAt', message: 'must be a free slot (GET /providers/{providerId}/slots)' },
      ]);
    }
  }

  private notices(ctx: WriteContext, a: Pick<Appointment, 'id' | 'patientId' | 'startAt'>): OneTimeSchedule[] {
    return dueNotices(a.startAt, new Date(ctx.now)).map(({ notice, at }) => {
      const payload: AppointmentNoticePayload = { kind: 'appointment-notice', orgId: ctx.orgId, patientId: a.patientId, appointmentId: a.id, notice, startAt: a.startAt };
      return { name: scheduleNames.appointmentNotice(a.id, a.startAt, notice), at, payload };
    });
  }

  private noticeNames(a: Pick<Appointment, 'id' | 'startAt'>): string[] {
    return (Object.keys(NOTICE_OFFSETS) as NoticeKind[]).map((n) => scheduleNames.appointmentNotice(a.id, a.startAt, n));
  }

  // ---- lab results ---------------------------------------------------------------------------

  async createLabResult(caller: Caller, ctx: WriteContext, patientId: string, body: CreateLabResultBody, idem?: IdempotencyRequest): Promise<LabResult> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as LabResult;
    const lab = this.newLab(ctx, patientId, body, body.status);
    return this.storeLab(ctx, lab, idem);
  }

  async listLabResults(caller: Caller, ctx: WriteContext, patientId: string, query: LabResultListQuery): Promise<Page<LabResult>> {
    const publishedOnly = !hasAnyRole(caller, CLINICAL_READERS);
    const page = await this.policy.readAsViewer(caller, patientId, () => this.repo.listLabResults(ctx.orgId, patientId, query.testCode, publishedOnly, query), 'existing');
    // Lab results are clinical records: every read is audited (one row per page served).
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'LabResult', entityId: `patient:${patientId}`, patientId });
    return page;
  }

  async finalize(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string): Promise<LabResult> {
    const current = await this.loadLab(caller, patientId, labResultId);
    if (current.status !== 'preliminary') throw new InvalidTransitionError('Only a preliminary result can be finalized');
    const critical = isCritical(current.flag);
    const escalation = critical ? await this.escalation(ctx, current) : undefined;
    if (escalation) await this.putAll([escalation]);
    try {
      return await this.repo.finalizeLabResult(ctx, current, critical);
    } catch (err) {
      if (escalation) await this.deleteAll([escalation.name], true);
      throw err;
    }
  }

  /** A final result never changes: a new `corrected` result supersedes it. */
  async correct(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string, body: CorrectLabResultBody, idem?: IdempotencyRequest): Promise<LabResult> {
    const current = await this.loadLab(caller, patientId, labResultId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as LabResult;
    if (current.status === 'preliminary') throw new InvalidTransitionError('A preliminary result is finalized, not corrected');
    if (current.supersededBy) throw new InvalidTransitionError('This result was corrected already; correct the newest one');
    const lab: LabResult = { ...this.newLab(ctx, patientId, body, 'corrected'), supersedes: current.id };
    return this.storeLab(ctx, lab, idem, current);
  }

  /** Clinician or staff who may see the patient; once, for a published critical result. */
  async acknowledge(caller: Caller, ctx: WriteContext, patientId: string, labResultId: string): Promise<LabResult> {
    const current = await this.loadLab(caller, patientId, labResultId);
    if (!isCritical(current.flag) || current.status === 'preliminary') throw new InvalidTransitionError('Only a published critical result is acknowledged');
    if (current.acknowledgedAt) throw new InvalidTransitionError('This result is already acknowledged');
    const out = await this.repo.acknowledgeLabResult(ctx, current);
    await this.deleteAll([scheduleNames.labEscalation(current.id)], true);
    return out;
  }

  private async loadLab(caller: Caller, patientId: string, labResultId: string): Promise<LabResult> {
    const lab = await this.policy.readAsViewer(caller, patientId, () => this.repo.getLabResult(caller.orgId, patientId, labResultId, true));
    if (!lab) throw new NotFoundError('Lab result not found');
    return lab;
  }

  private newLab(ctx: WriteContext, patientId: string, body: CorrectLabResultBody, status: LabResult['status']): LabResult {
    return {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      testCode: body.testCode,
      testName: body.testName,
      ...(body.value !== undefined ? { value: body.value } : {}),
      ...(body.valueText !== undefined ? { valueText: body.valueText } : {}),
      ...(body.units !== undefined ? { units: body.units } : {}),
      ...(body.referenceRange !== undefined ? { referenceRange: body.referenceRange } : {}),
      ...(body.criticalRange !== undefined ? { criticalRange: body.criticalRange } : {}),
      collectedAt: new Date(body.collectedAt).toISOString(),
      ...(body.orderedBy !== undefined ? { orderedBy: body.orderedBy } : {}),
      ...(body.attachmentIds !== undefined ? { attachmentIds: body.attachmentIds } : {}),
      status,
      flag: labFlag(body.value, body.referenceRange, body.criticalRange),
      publishedAt: status === 'preliminary' ? null : ctx.now,
      createdBy: ctx.actorId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
  }

  private async storeLab(ctx: WriteContext, lab: LabResult, idem: IdempotencyRequest | undefined, supersede?: LabResult): Promise<LabResult> {
    const critical = lab.status !== 'preliminary' && isCritical(lab.flag);
    const escalation = critical ? await this.escalation(ctx, lab) : undefined;
    if (escalation) await this.putAll([escalation]);
    try {
      const stored = await this.repo.createLabResult(ctx, lab, critical, idem, supersede);
      if (escalation && stored.id !== lab.id) await this.deleteAll([escalation.name], true);
      return stored;
    } catch (err) {
      if (escalation) await this.deleteAll([escalation.name], true);
      throw err;
    }
  }

  private async escalation(ctx: WriteContext, lab: Pick<LabResult, 'id' | 'patientId'>): Promise<OneTimeSchedule> {
    const { criticalEscalationMinutes } = await this.org.settings(ctx.orgId);
    const payload: LabEscalationPayload = { kind: 'lab-escalation', orgId: ctx.orgId, patientId: lab.patientId, labResultId: lab.id };
    return { name: scheduleNames.labEscalation(lab.id), at: new Date(Date.parse(ctx.now) + criticalEscalationMinutes * MINUTE).toISOString(), payload };
  }

  // ---- treatment plans -----------------------------------------------------------------------

  async createPlan(caller: Caller, ctx: WriteContext, patientId: string, body: CreateTreatmentPlanBody, idem?: IdempotencyRequest): Promise<TreatmentPlan> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as TreatmentPlan;
    if (body.endDate && body.endDate < body.startDate) throw new ValidationError('endDate is before startDate', [{ path: 'body.endDate', message: 'must not be before startDate' }]);
    const plan: TreatmentPlan = {
      id: ulid(Date.parse(ctx.now)),
      patientId,
      title: body.title,
      summary: body.summary,
      ...(body.details !== undefined ? { details: body.details } : {}),
      startDate: body.startDate,
      ...(body.endDate !== undefined ? { endDate: body.endDate } : {}),
      goals: body.goals ?? [],
      status: 'draft',
      createdBy: ctx.actorId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createPlan(ctx, plan, idem);
  }

  async updatePlan(caller: Caller, ctx: WriteContext, patientId: string, planId: string, body: UpdateTreatmentPlanBody): Promise<TreatmentPlan> {
    const current = await this.policy.readAsViewer(caller, patientId, () => this.repo.getPlan(ctx.orgId, patientId, planId, true));
    if (!current) throw new NotFoundError('Treatment plan not found');
    if (isFinalPlan(current.status)) throw new InvalidTransitionError(`A ${current.status} plan is final`);
    if (body.version !== current.version) throw new VersionConflictError();
    const to = body.status ?? current.status;
    if (!canPlanTransition(current.status, to)) throw new InvalidTransitionError(`A plan cannot go from ${current.status} to ${to}`);
    const { version, status: _s, ...rest } = body;
    const changes: Partial<TreatmentPlan> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    if (changes.endDate && changes.endDate < current.startDate) throw new ValidationError('endDate is before startDate', [{ path: 'body.endDate', message: 'must not be before startDate' }]);
    let pointer: 'take' | 'release' | undefined;
    if (to !== current.status) {
      changes.status = to;
      if (to === 'active') {
        changes.activatedAt = ctx.now;
        pointer = 'take';
      }
      if (to === 'completed') changes.completedAt = ctx.now;
      if (to === 'cancelled') changes.cancelledAt = ctx.now;
      if (current.status === 'active') pointer = 'release';
    }
    const verb = to !== current.status ? PLAN_VERB[to] : null;
    return this.repo.updatePlan(ctx, current, changes, version, pointer, verb);
  }

  async listPlans(caller: Caller, patientId: string, query: TreatmentPlanListQuery): Promise<Page<TreatmentPlan>> {
    const visible: readonly PlanStatus[] | undefined = hasAnyRole(caller, CLINICAL_READERS) ? undefined : ['active', 'completed'];
    const statuses = query.status ? (visible && !visible.includes(query.status) ? [] : [query.status]) : visible;
    if (statuses?.length === 0) {
      await this.policy.assertCanSeeExistingPatient(caller, patientId);
      return { items: [], nextCursor: null };
    }
    return this.policy.readAsViewer(caller, patientId, () => this.repo.listPlans(caller.orgId, patientId, statuses, query), 'existing');
  }

  // ---- schedules -----------------------------------------------------------------------------

  private async putAll(schedules: readonly OneTimeSchedule[]): Promise<void> {
    try {
      for (const s of schedules) await this.scheduler.putOneTime(s);
    } catch (err) {
      await this.deleteAll(schedules.map((s) => s.name), true);
      throw err;
    }
  }

  /** Deletes schedules by name; `quiet` logs failures (a stale notice finds nothing to send). */
  private async deleteAll(names: readonly string[], quiet = false): Promise<void> {
    for (const name of names) {
      try {
        await this.scheduler.delete(name);
      } catch (err) {
        if (!quiet) throw err;
        this.logger.warn('could not delete a schedule', { name, error: err as Error });
      }
    }
  }
}

const PLAN_VERB: Record<PlanStatus, string> = { draft: 'update', active: 'activate', completed: 'complete', cancelled: 'cancel' };

function decodeSlotCursor(cursor: string): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) {
    throw new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'use nextCursor from the previous page' }]);
  }
  return value;
}
