import type { Appointment } from '../../../schemas/concierge.js';
import { CalendarConflictError, Calendars, type CalendarChange } from '../../shared/calendar/calendar-repository.js';
import type { CalendarEntry } from '../../shared/calendar/calendar.js';
import type { Item, Page, PageRequest, TransactParts } from '../../shared/data/db.js';
import { failedPart, mapFailures } from '../../shared/data/transaction-failures.js';
import { PatientEntity } from '../../shared/data/entities.js';
import { IDEMPOTENCY_RECORD_PART, type IdempotencyRequest } from '../../shared/data/idempotency.js';
import { update, versioned, type UpdateSpec } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, InvalidTransitionError, NotFoundError } from '../../shared/errors.js';
import { CareTeamWrites, type CareTeamJoin, type MemberProfile } from '../../shared/people/care-team.js';
import { AppointmentEntity, ProviderEntity } from '../entities.js';
import { bufferGap, type NoticeKind } from '../rules.js';
import { ConciergeStore } from '../store.js';

const NOTICE_ATTRIBUTE: Record<NoticeKind, string> = { '24h': 'notice24hFor', '1h': 'notice1hFor' };

/** How a booking's time is held on the two calendars (the provider's buffer unless overridden). */
export interface Hold {
  providerId: string;
  patientId: string;
  /** Minutes kept free around the provider's bookings; 0 with a staff override (plain overlap only). */
  bufferMinutes: number;
}

/**
 * Appointments in the single table, with the time they hold on the provider's and the patient's
 * calendars (docs/data-model.md, "Medical concierge"):
 * - appointment: GetItem `P / APPT#<id>`; the patient's by start: Query GSI1 `P#APPTS`;
 *   the provider's by start: Query GSI2 `ORG#o#PROV#p#APPTS`
 * - calendars (booking, moving, freeing time): the shared calendar's day items (`Calendars`)
 */
export class AppointmentRepository extends ConciergeStore {
  private readonly calendars = new Calendars(this.db);
  private readonly careTeam = new CareTeamWrites(this.db);

  async getAppointment(orgId: string, patientId: string, id: string, consistent = false): Promise<Appointment | undefined> {
    const item = await this.db.get(AppointmentEntity.key(orgId, patientId, id), consistent);
    return item ? AppointmentEntity.fromItem(item) : undefined;
  }

  /**
   * Books the appointment on the provider's and the patient's calendars in one transaction with the
   * appointment, the provider's care-team link (when `provider` is given: not on the team when the
   * service asked; the one care-team writer, which books again without the link when someone put
   * the provider on the team meanwhile) and the idempotency record. A clash is
   * `CalendarConflictError` (409 naming the interval).
   */
  async book(ctx: WriteContext, appointment: Appointment, hold: Hold, provider: MemberProfile | undefined, idem: IdempotencyRequest | undefined): Promise<Appointment> {
    if (!provider) return this.bookWith(ctx, appointment, hold, {}, idem);
    const join = { patientId: hold.patientId, member: provider, relationship: 'clinician', mode: 'join' } as const;
    return this.careTeam.write(ctx, join, (link) => this.bookWith(ctx, appointment, hold, link, idem));
  }

  private async bookWith(ctx: WriteContext, appointment: Appointment, hold: Hold, link: CareTeamJoin, idem: IdempotencyRequest | undefined): Promise<Appointment> {
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
      appointment: this.db.put(AppointmentEntity.newItem({ ...AppointmentEntity.key(ctx.orgId, hold.patientId, id), ...this.indexes(ctx.orgId, appointment) }, { id, ...fields }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
      ...(idem ? this.idempotency.recordPart(ctx, idem, appointment) : {}),
      ...link,
    });
    try {
      return await this.calendars.book(ctx, changes, own, () => appointment);
    } catch (err) {
      // A parallel request with the same Idempotency-Key booked this very time: answer its response.
      if (err instanceof CalendarConflictError && idem) {
        const earlier = await this.idempotency.replay(ctx, idem);
        if (earlier) return earlier.response as Appointment;
      }
      switch (failedPart(err, ['patient', 'provider', 'appointment', IDEMPOTENCY_RECORD_PART])) {
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
        default:
          // The care-team link's part failed: the care-team writer reads the link again and books again.
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
      ...this.indexes(ctx.orgId, moved),
    };
    const own = () => ({ appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, current.patientId, current.id), ...this.onlyIf(fields, ctx, current, ['booked']) }) });
    return mapFailures({ appointment: () => changedMeanwhile() }, () => this.calendars.book(ctx, changes, own, () => moved));
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
    return mapFailures({ appointment: () => changedMeanwhile() }, () => this.calendars.book(ctx, changes, own, () => ({ ...current, ...fields, version: current.version + 1, updatedAt: ctx.now })));
  }

  /** A status change that keeps the time (check-in, complete, no-show), on condition of the status read. */
  async transition(ctx: WriteContext, current: Appointment, fields: Partial<Appointment>, verb: string): Promise<Appointment> {
    await mapFailures({ appointment: () => changedMeanwhile() }, () =>
      this.db.transact({
        appointment: this.db.update({ Key: AppointmentEntity.key(ctx.orgId, current.patientId, current.id), ...this.onlyIf({ ...fields, auditAction: verb }, ctx, current, [current.status]) }),
      }),
    );
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

  private indexes(orgId: string, a: Pick<Appointment, 'patientId' | 'providerId' | 'startAt' | 'id'>) {
    return { ...AppointmentEntity.byPatient(orgId, a.patientId, a.startAt, a.id), ...AppointmentEntity.byProvider(orgId, a.providerId, a.startAt, a.id) };
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
}

/** The appointment's condition failed: someone changed it between the read and this write. */
const changedMeanwhile = () => new InvalidTransitionError('The appointment changed meanwhile; fetch it again');

const toEntry = (a: Pick<Appointment, 'id' | 'startAt' | 'endAt' | 'patientId'>): CalendarEntry => ({
  id: a.id,
  kind: 'appointment',
  start: a.startAt,
  end: a.endAt,
  patientId: a.patientId,
});
