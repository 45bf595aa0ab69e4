import type { Appointment, LabResult, Provider, TreatmentPlan } from '../../schemas/concierge.js';
import type { User } from '../../schemas/identity.js';
import { CalendarConflictError, Calendars, type CalendarChange } from '../shared/calendar/calendar-repository.js';
import type { CalendarEntry } from '../shared/calendar/calendar.js';
import { TransactionCancelledError, type Db, type Item, type Page, type TransactItem, type TransactParts } from '../shared/data/db.js';
import { CareTeamMemberEntity, PatientEntity } from '../shared/data/entities.js';
import { IDEMPOTENCY_RECORD_PART, Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { update, versioned, type UpdateSpec } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError, VersionConflictError } from '../shared/errors.js';
import { ActivePlanEntity, AppointmentEntity, LabResultAlertEntity, LabResultEntity, ProviderEntity, TreatmentPlanEntity } from './entities.js';
import { bufferGap, type NoticeKind } from './rules.js';

type PageRequest = { limit: number; cursor?: string | undefined };

const NOTICE_ATTRIBUTE: Record<NoticeKind, string> = { '24h': 'notice24hFor', '1h': 'notice1hFor' };

/** How a booking's time is held on the two calendars (the provider's buffer unless overridden). */
export interface Hold {
  providerId: string;
  patientId: string;
  /** Minutes kept free around the provider's bookings; 0 with a staff override (plain overlap only). */
  bufferMinutes: number;
}

/**
 * Which of the named parts of a cancelled transaction failed its condition: the one place the
 * concierge reads a transaction's cancellation.
 */
function failedPart<N extends string>(err: unknown, parts: readonly N[]): N | undefined {
  return err instanceof TransactionCancelledError ? parts.find((p) => err.failed(p)) : undefined;
}

/** The versioned update of `fields`, on condition of `expectedVersion` when given. */
const versionedSet = (ctx: WriteContext, fields: Item, expectedVersion?: number): UpdateSpec => versioned(ctx, expectedVersion).set(fields).build();

/**
 * Providers, appointments, lab results and treatment plans in the single table; the only concierge
 * code that knows keys. Access patterns (docs/data-model.md, "Medical concierge"):
 * - provider: GetItem `ORG#o#PROV#p / PROFILE`; directory: Query GSI1 `ORG#o#PROVIDERS` (by specialty prefix)
 * - appointment: GetItem `P / APPT#<id>`; the patient's by start: Query GSI1 `P#APPTS`;
 *   the provider's by start: Query GSI2 `ORG#o#PROV#p#APPTS`
 * - calendars (booking, free slots): the shared calendar's day items (`Calendars`)
 * - lab result: GetItem `P / LAB#<id>`; newest first: Query GSI1 `P#LABS`; per test: Query GSI2 `P#LAB#<code>`
 * - treatment plans: Query `P`, `PLAN#0..PLAN#8`, reverse; the one active plan: `P / PLAN#ACTIVE`
 */
export class ConciergeRepository {
  private readonly idempotency: Idempotency;
  readonly calendars: Calendars;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
    this.calendars = new Calendars(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- providers -----------------------------------------------------------------------------

  async getProvider(orgId: string, providerId: string, consistent = false): Promise<Provider | undefined> {
    const item = await this.db.get(ProviderEntity.key(orgId, providerId), consistent);
    return item ? ProviderEntity.fromItem(item) : undefined;
  }

  /** One profile per user: put on condition that none exists (409 otherwise). */
  async createProvider(ctx: WriteContext, provider: Provider, idem: IdempotencyRequest | undefined): Promise<Provider> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = provider;
    const item = ProviderEntity.newItem({ ...ProviderEntity.key(ctx.orgId, id), ...ProviderEntity.directory(ctx.orgId, provider.specialty, id) }, { id, ...fields }, ctx);
    try {
      return await this.idempotency.run(ctx, idem, { profile: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) }, provider);
    } catch (err) {
      if (failedPart(err, ['profile'])) throw new ConflictError('This user already has a provider profile');
      throw err;
    }
  }

  async updateProvider(ctx: WriteContext, current: Provider, changes: Partial<Provider>, expectedVersion: number): Promise<Provider> {
    const fields: Item = { ...changes };
    if (changes.specialty) Object.assign(fields, ProviderEntity.directory(ctx.orgId, changes.specialty, current.id));
    try {
      await this.db.transact({ profile: this.db.update({ Key: ProviderEntity.key(ctx.orgId, current.id), ...versionedSet(ctx, fields, expectedVersion) }) });
    } catch (err) {
      if (failedPart(err, ['profile'])) throw new VersionConflictError();
      throw err;
    }
    return { ...current, ...changes, version: current.version + 1, updatedAt: ctx.now };
  }

  async listProviders(orgId: string, specialty: string | undefined, page: PageRequest): Promise<Page<Provider>> {
    const pk = ProviderEntity.directoryPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: specialty ? 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)' : 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(specialty ? { ':prefix': ProviderEntity.specialtyPrefix(specialty) } : {}) },
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map((i) => ProviderEntity.fromItem(i)), nextCursor: out.nextCursor };
  }

  /** The provider's bookings touching [from, to): the calendar's days of that window only. */
  async bookedEntries(orgId: string, providerId: string, from: string, to: string): Promise<CalendarEntry[]> {
    const window = await this.calendars.window(orgId, { kind: 'user', id: providerId }, [[from, to]]);
    return window.entries();
  }

  // ---- appointments --------------------------------------------------------------------------

  async getAppointment(orgId: string, patientId: string, id: string, consistent = false): Promise<Appointment | undefined> {
    const item = await this.db.get(AppointmentEntity.key(orgId, patientId, id), consistent);
    return item ? AppointmentEntity.fromItem(item) : undefined;
  }

  /**
   * Books the appointment on the provider's and the patient's calendars in one transaction with the
   * appointment, the provider's care-team membership (when `member` is given: not on the team yet)
   * and the idempotency record. A clash is `CalendarConflictError` (409 naming the interval).
   */
  async book(
    ctx: WriteContext,
    appointment: Appointment,
    hold: Hold,
    member: User | undefined,
    idem: IdempotencyRequest | undefined,
  ): Promise<Appointment> {
    const entry = toEntry(appointment);
    const changes: CalendarChange[] = [
      { owner: { kind: 'user', id: hold.providerId }, add: [entry], gap: bufferGap(hold.bufferMinutes), margin: hold.bufferMinutes },
      { owner: { kind: 'patient', id: hold.patientId }, add: [entry] },
    ];
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = appointment;
    const own = (): TransactParts => ({
      patient: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, hold.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      provider: this.db.conditionCheck({
        Key: ProviderEntity.key(ctx.orgId, hold.providerId),
        ConditionExpression: 'attribute_exists(PK) AND isActive = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
      appointment: this.db.put(AppointmentEntity.newItem({ ...AppointmentEntity.key(ctx.orgId, hold.patientId, id), ...this.appointmentIndexes(ctx.orgId, appointment) }, { id, ...fields }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      ...(idem ? this.idempotency.recordPart(ctx, idem, appointment) : {}),
      ...(member
        ? { member: this.db.put(this.memberItem(ctx, hold.patientId, member), { ConditionExpression: 'attribute_not_exists(PK) OR deleting = :true', ExpressionAttributeValues: { ':true': true } }) }
        : {}),
    });
    try {
      return await this.calendars.book(ctx, changes, own, () => appointment);
    } catch (err) {
      // A parallel request with the same Idempotency-Key booked this very time: answer its response.
      if (err instanceof CalendarConflictError && idem) {
        const earlier = await this.idempotency.replay(ctx, idem);
        if (earlier) return earlier.response as Appointment;
      }
      switch (failedPart(err, ['patient', 'provider', 'appointment', IDEMPOTENCY_RECORD_PART, 'member'])) {
        case 'patient':
          throw new NotFoundError('Patient not found');
        case 'provider':
          throw new NotFoundError('Provider not found');
        case 'appointment':
          throw new ConflictError('This appointment exists already');
        case IDEMPOTENCY_RECORD_PART: {
          const earlier = await this.idempotency.replay(ctx, idem);
          if (earlier) return earlier.response as Appointment;
          throw err;
        }
        case 'member':
          // Someone put the provider on the team meanwhile: book again without adding them.
          return this.book(ctx, appointment, hold, undefined, idem);
        default:
          throw err;
      }
    }
  }

  /**
   * Moves a booked appointment in one step: the old entry is removed and the new one added on both
   * calendars in the same transaction as the appointment's change (on condition that it is still
   * booked at the old time), so either the new time is held and the old freed, or nothing changes.
   */
  async reschedule(ctx: WriteContext, current: Appointment, next: Pick<Appointment, 'startAt' | 'endAt' | 'durationMinutes'>, hold: Hold): Promise<Appointment> {
    const moved: Appointment = { ...current, ...next, rescheduledBy: ctx.actorId, rescheduledAt: ctx.now, version: current.version + 1, updatedAt: ctx.now };
    const entry = toEntry(moved);
    const old = toEntry(current);
    const changes: CalendarChange[] = [
      { owner: { kind: 'user', id: hold.providerId }, add: [entry], remove: [old], gap: bufferGap(hold.bufferMinutes), margin: hold.bufferMinutes },
      { owner: { kind: 'patient', id: hold.patientId }, add: [entry], remove: [old] },
    ];
    const fields = {
      startAt: moved.startAt,
      endAt: moved.endAt,
      durationMinutes: moved.durationMinutes,
      rescheduledBy: ctx.actorId,
      rescheduledAt: ctx.now,
      auditAction: 'reschedule',
      ...this.appointmentIndexes(ctx.orgId, moved),
    };
    const own = () => ({ appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, current.patientId, current.id), ...this.onlyIf(fields, ctx, current, ['booked']) }) });
    try {
      return await this.calendars.book(ctx, changes, own, () => moved);
    } catch (err) {
      if (failedPart(err, ['appointment'])) throw new InvalidTransitionError('The appointment changed meanwhile; fetch it again');
      throw err;
    }
  }

  /** Cancels and frees the time on both calendars at once (same transaction). */
  async cancel(ctx: WriteContext, current: Appointment, fields: Partial<Appointment>, from: readonly Appointment['status'][]): Promise<Appointment> {
    const old = toEntry(current);
    const changes: CalendarChange[] = [
      { owner: { kind: 'user', id: current.providerId }, remove: [old] },
      { owner: { kind: 'patient', id: current.patientId }, remove: [old] },
    ];
    const own = () => ({
      appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, current.patientId, current.id), ...this.onlyIf({ ...fields, auditAction: 'cancel' }, ctx, current, from) }),
    });
    try {
      return await this.calendars.book(ctx, changes, own, () => ({ ...current, ...fields, version: current.version + 1, updatedAt: ctx.now }));
    } catch (err) {
      if (failedPart(err, ['appointment'])) throw new InvalidTransitionError('The appointment changed meanwhile; fetch it again');
      throw err;
    }
  }

  /** A status change that keeps the time (check-in, complete, no-show), on condition of the status read. */
  async transition(ctx: WriteContext, current: Appointment, fields: Partial<Appointment>, verb: string): Promise<Appointment> {
    try {
      await this.db.transact({
        appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, current.patientId, current.id), ...this.onlyIf({ ...fields, auditAction: verb }, ctx, current, [current.status]) }),
      });
    } catch (err) {
      if (failedPart(err, ['appointment'])) throw new InvalidTransitionError('The appointment changed meanwhile; fetch it again');
      throw err;
    }
    return { ...current, ...fields, version: current.version + 1, updatedAt: ctx.now };
  }

  /**
   * A notice fired: records that it was sent for this start, on condition that the appointment is
   * still booked at that start and the notice was not recorded for it yet. Its stream record becomes
   * `AppointmentReminder` (events.ts). Stamps the actor, keeps `version` (bookkeeping the API does
   * not show). Answers false when there is nothing to send (cancelled, moved, or a replay).
   */
  async markNoticeSent(ctx: WriteContext, ref: { patientId: string; appointmentId: string }, notice: NoticeKind, startAt: string): Promise<boolean> {
    const attr = NOTICE_ATTRIBUTE[notice];
    const spec = update()
      .exists()
      .stamp(ctx)
      .set({ [attr]: startAt, auditAction: `notice_${notice}` })
      .compare('status', '=', 'booked')
      .compare('startAt', '=', startAt)
      .where('attribute_not_exists(#notice) OR #notice <> :noticeStart', { '#notice': attr }, { ':noticeStart': startAt })
      .build();
    try {
      await this.db.transact({ appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, ref.patientId, ref.appointmentId), ...spec }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['appointment'])) return false;
      throw err;
    }
  }

  /** The patient's appointments from `from`, soonest first (GSI1; `status` filters the page). */
  async listForPatient(orgId: string, patientId: string, from: string, status: string | undefined, page: PageRequest): Promise<Page<Appointment>> {
    const pk = AppointmentEntity.patientPartition(orgId, patientId);
    return this.byStart('GSI1', pk, from, undefined, status, page);
  }

  /** The provider's appointments in [from, to), soonest first (GSI2). */
  async listForProvider(orgId: string, providerId: string, from: string, to: string | undefined, page: PageRequest): Promise<Page<Appointment>> {
    return this.byStart('GSI2', AppointmentEntity.providerPartition(orgId, providerId), from, to, undefined, page);
  }

  private async byStart(index: 'GSI1' | 'GSI2', pk: string, from: string, to: string | undefined, status: string | undefined, page: PageRequest): Promise<Page<Appointment>> {
    const out = await this.db.queryPage<Item>(
      {
        IndexName: index,
        KeyConditionExpression: to ? `${index}PK = :pk AND ${index}SK BETWEEN :from AND :to` : `${index}PK = :pk AND ${index}SK >= :from`,
        ExpressionAttributeValues: { ':pk': pk, ':from': from, ...(to ? { ':to': to } : {}), ...(status ? { ':status': status } : {}) },
        ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
      },
      page,
      { attribute: `${index}PK`, value: pk },
    );
    return { items: out.items.map((i) => AppointmentEntity.fromItem(i)), nextCursor: out.nextCursor };
  }

  private appointmentIndexes(orgId: string, a: Pick<Appointment, 'patientId' | 'providerId' | 'startAt' | 'id'>) {
    return { ...AppointmentEntity.byPatient(orgId, a.patientId, a.startAt, a.id), ...AppointmentEntity.byProvider(orgId, a.providerId, a.startAt, a.id) };
  }

  /** The care-team member item, as identity's putCareTeamMember writes it. */
  private memberItem(ctx: WriteContext, patientId: string, user: User): Item {
    const key = CareTeamMemberEntity.key(ctx.orgId, patientId, user.userId);
    return CareTeamMemberEntity.newItem({ ...key, ...CareTeamMemberEntity.byUser(ctx.orgId, user.userId, patientId) }, {
      id: user.userId,
      patientId,
      userId: user.userId,
      relationship: 'clinician',
      displayName: user.displayName,
      email: user.email,
      role: user.role,
      addedAt: ctx.now,
      addedBy: ctx.actorId,
    }, ctx);
  }

  /** The versioned update of an appointment, on condition that it is in one of `statuses` at the start read. */
  private onlyIf(fields: Item, ctx: WriteContext, current: Appointment, statuses: readonly string[]): UpdateSpec {
    const values: Record<string, unknown> = { ':readStart': current.startAt };
    statuses.forEach((st, i) => (values[`:st${i}`] = st));
    return versioned(ctx)
      .set(fields)
      .where(`#cstart = :readStart AND #cstatus IN (${statuses.map((_, i) => `:st${i}`).join(', ')})`, { '#cstart': 'startAt', '#cstatus': 'status' }, values)
      .build();
  }

  // ---- lab results ---------------------------------------------------------------------------

  async getLabResult(orgId: string, patientId: string, id: string, consistent = false): Promise<LabResult | undefined> {
    const item = await this.db.get(LabResultEntity.key(orgId, patientId, id), consistent);
    return item ? LabResultEntity.fromItem(item) : undefined;
  }

  /** The result (+ its critical alert when it is published critical, + idempotency record). */
  async createLabResult(ctx: WriteContext, lab: LabResult, critical: boolean, idem: IdempotencyRequest | undefined, supersede?: LabResult): Promise<LabResult> {
    const parts: TransactParts = {
      patient: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, lab.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      result: this.db.put(this.labItem(ctx, lab), { ConditionExpression: 'attribute_not_exists(PK)' }),
      ...(supersede
        ? {
            superseded: this.db.update({
              Key: LabResultEntity.key(ctx.orgId, supersede.patientId, supersede.id),
              ...versioned(ctx, supersede.version).set({ supersededBy: lab.id, auditAction: 'supersede' }).absent('supersededBy').build(),
            }),
          }
        : {}),
      ...(critical ? { alert: this.alertItem(ctx, lab) } : {}),
    };
    try {
      return await this.idempotency.run(ctx, idem, parts, lab);
    } catch (err) {
      const part = failedPart(err, ['patient', 'superseded']);
      if (part === 'patient') throw new NotFoundError('Patient not found');
      if (part === 'superseded') throw new ConflictError('This result was corrected or changed meanwhile; fetch it again');
      throw err;
    }
  }

  /** preliminary -> final, on condition that it is still preliminary (+ its alert when critical). */
  async finalizeLabResult(ctx: WriteContext, current: LabResult, critical: boolean): Promise<LabResult> {
    const final: LabResult = { ...current, status: 'final', publishedAt: ctx.now, version: current.version + 1, updatedAt: ctx.now };
    const sortAt = ctx.now;
    const fields = {
      status: 'final',
      publishedAt: ctx.now,
      auditAction: 'finalize',
      ...LabResultEntity.byPatient(ctx.orgId, current.patientId, sortAt, current.id),
      ...LabResultEntity.byTest(ctx.orgId, current.patientId, current.testCode, sortAt, current.id),
    };
    const spec = versioned(ctx, current.version).set(fields).compare('status', '=', 'preliminary').build();
    try {
      await this.db.transact({
        result: this.db.update({ Key: LabResultEntity.key(ctx.orgId, current.patientId, current.id), ...spec }),
        ...(critical ? { alert: this.alertItem(ctx, final) } : {}),
      });
    } catch (err) {
      if (failedPart(err, ['result'])) throw new InvalidTransitionError('Only a preliminary result can be finalized');
      throw err;
    }
    return final;
  }

  /** Records the acknowledgement once, on the result and its alert (which stops the escalation). */
  async acknowledgeLabResult(ctx: WriteContext, current: LabResult): Promise<LabResult> {
    const fields = { acknowledgedBy: ctx.actorId, acknowledgedAt: ctx.now };
    try {
      await this.db.transact({
        result: this.db.update({
          Key: LabResultEntity.key(ctx.orgId, current.patientId, current.id),
          ...versioned(ctx).set({ ...fields, auditAction: 'acknowledge' }).absent('acknowledgedAt').build(),
        }),
        alert: this.db.update({ Key: LabResultAlertEntity.key(ctx.orgId, current.patientId, current.id), ...versionedSet(ctx, { ...fields, auditAction: 'acknowledge' }) }),
      });
    } catch (err) {
      const part = failedPart(err, ['result', 'alert']);
      if (part === 'result') throw new InvalidTransitionError('This result is already acknowledged');
      if (part === 'alert') throw new InvalidTransitionError('Only a published critical result is acknowledged');
      throw err;
    }
    return { ...current, ...fields, version: current.version + 1, updatedAt: ctx.now };
  }

  /**
   * The escalation fired: marks the alert `escalatedAt` once, on condition that nobody acknowledged
   * it. Its stream record becomes `LabResultCriticalUnacknowledged`. False when there is nothing to do.
   */
  async markEscalated(ctx: WriteContext, patientId: string, labResultId: string): Promise<boolean> {
    const spec = update().exists().stamp(ctx).set({ escalatedAt: ctx.now, auditAction: 'escalate' }).absent('acknowledgedAt').absent('escalatedAt').build();
    try {
      await this.db.transact({ alert: this.db.update({ Key: LabResultAlertEntity.key(ctx.orgId, patientId, labResultId), ...spec }) });
      return true;
    } catch (err) {
      if (failedPart(err, ['alert'])) return false;
      throw err;
    }
  }

  /**
   * A patient's results, newest publishedAt (else createdAt) first; `published` leaves preliminary
   * results out (a filter over one patient's results: `Limit` still caps what a page reads).
   */
  async listLabResults(orgId: string, patientId: string, testCode: string | undefined, published: boolean, page: PageRequest): Promise<Page<LabResult>> {
    const [index, pk] = testCode
      ? (['GSI2', LabResultEntity.testPartition(orgId, patientId, testCode)] as const)
      : (['GSI1', LabResultEntity.patientPartition(orgId, patientId)] as const);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: index,
        KeyConditionExpression: `${index}PK = :pk`,
        ExpressionAttributeValues: { ':pk': pk, ...(published ? { ':pre': 'preliminary' } : {}) },
        ...(published ? { FilterExpression: '#st <> :pre', ExpressionAttributeNames: { '#st': 'status' } } : {}),
        ScanIndexForward: false,
      },
      page,
      { attribute: `${index}PK`, value: pk },
    );
    return { items: out.items.map((i) => LabResultEntity.fromItem(i)), nextCursor: out.nextCursor };
  }

  private labItem(ctx: WriteContext, lab: LabResult): Item {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = lab;
    const sortAt = lab.publishedAt ?? lab.createdAt;
    return LabResultEntity.newItem(
      {
        ...LabResultEntity.key(ctx.orgId, lab.patientId, id),
        ...LabResultEntity.byPatient(ctx.orgId, lab.patientId, sortAt, id),
        ...LabResultEntity.byTest(ctx.orgId, lab.patientId, lab.testCode, sortAt, id),
      },
      { id, ...fields },
      ctx,
    );
  }

  private alertItem(ctx: WriteContext, lab: LabResult): TransactItem {
    return this.db.put(
      LabResultAlertEntity.newItem(LabResultAlertEntity.key(ctx.orgId, lab.patientId, lab.id), {
        id: lab.id,
        patientId: lab.patientId,
        labResultId: lab.id,
        flag: lab.flag,
        publishedAt: lab.publishedAt,
      }, ctx),
      { ConditionExpression: 'attribute_not_exists(PK)' },
    );
  }

  // ---- treatment plans -----------------------------------------------------------------------

  async getPlan(orgId: string, patientId: string, id: string, consistent = false): Promise<TreatmentPlan | undefined> {
    const item = await this.db.get(TreatmentPlanEntity.key(orgId, patientId, id), consistent);
    return item ? TreatmentPlanEntity.fromItem(item) : undefined;
  }

  async createPlan(ctx: WriteContext, plan: TreatmentPlan, idem: IdempotencyRequest | undefined): Promise<TreatmentPlan> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = plan;
    try {
      return await this.idempotency.run(ctx, idem, {
        patient: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, plan.patientId), ConditionExpression: 'attribute_exists(PK)' }),
        plan: this.db.put(TreatmentPlanEntity.newItem(TreatmentPlanEntity.key(ctx.orgId, plan.patientId, id), { id, ...fields }, ctx), { ConditionExpression: 'attribute_not_exists(PK)' }),
      }, plan);
    } catch (err) {
      if (failedPart(err, ['patient'])) throw new NotFoundError('Patient not found');
      throw err;
    }
  }

  /**
   * Applies `changes` on condition of `expectedVersion`. Activation puts the patient's `PLAN#ACTIVE`
   * pointer on condition that none exists, in the same transaction (of parallel activations exactly
   * one wins); completing or cancelling the active plan deletes it.
   */
  async updatePlan(ctx: WriteContext, current: TreatmentPlan, changes: Partial<TreatmentPlan>, expectedVersion: number, pointer: 'take' | 'release' | undefined, verb: string | null): Promise<TreatmentPlan> {
    const pointerKey = ActivePlanEntity.key(ctx.orgId, current.patientId);
    const parts: TransactParts = {
      plan: this.db.update({ Key: TreatmentPlanEntity.key(ctx.orgId, current.patientId, current.id), ...versionedSet(ctx, { ...changes, auditAction: verb }, expectedVersion) }),
    };
    if (pointer === 'take') {
      parts.pointer = this.db.put(ActivePlanEntity.newItem(pointerKey, { id: current.patientId, patientId: current.patientId, planId: current.id }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      });
    }
    if (pointer === 'release') {
      parts.release = this.db.delete({ Key: pointerKey, ConditionExpression: 'planId = :plan', ExpressionAttributeValues: { ':plan': current.id } });
    }
    try {
      await this.db.transact(parts);
    } catch (err) {
      const part = failedPart(err, ['plan', 'pointer', 'release']);
      if (part === 'plan') throw new VersionConflictError();
      if (part === 'pointer') throw new ConflictError('Another treatment plan of this patient is active');
      if (part === 'release') throw new VersionConflictError();
      throw err;
    }
    return { ...current, ...changes, version: current.version + 1, updatedAt: ctx.now };
  }

  /** A patient's plans, newest first; `statuses` filters the page (one patient's handful of plans). */
  async listPlans(orgId: string, patientId: string, statuses: readonly string[] | undefined, page: PageRequest): Promise<Page<TreatmentPlan>> {
    const pk = TreatmentPlanEntity.partition(orgId, patientId);
    const values: Record<string, unknown> = { ':pk': pk, ':from': TreatmentPlanEntity.range.from, ':to': TreatmentPlanEntity.range.to };
    statuses?.forEach((s, i) => (values[`:st${i}`] = s));
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: values,
        ...(statuses ? { FilterExpression: `#st IN (${statuses.map((_, i) => `:st${i}`).join(', ')})`, ExpressionAttributeNames: { '#st': 'status' } } : {}),
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map((i) => TreatmentPlanEntity.fromItem(i)), nextCursor: out.nextCursor };
  }
}

const toEntry = (a: Pick<Appointment, 'id' | 'startAt' | 'endAt' | 'patientId'>): CalendarEntry => ({
  id: a.id,
  kind: 'appointment',
  start: a.startAt,
  end: a.endAt,
  patientId: a.patientId,
});

export { CalendarConflictError };
