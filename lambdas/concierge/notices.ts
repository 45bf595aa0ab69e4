import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import type { FiredPayload, SchedulePayload } from '../shared/scheduling/scheduler.js';
import type { AppointmentRepository } from './appointments/repository.js';
import type { LabResultRepository } from './lab-results/repository.js';
import type { NoticeKind } from './rules.js';

/** The payload of an appointment notice (`appt-<id>-<start>-<24h|1h>`): the start it was made for. */
export interface AppointmentNoticePayload extends SchedulePayload {
  kind: 'appointment-notice';
  orgId: string;
  patientId: string;
  appointmentId: string;
  notice: NoticeKind;
  startAt: string;
}

/** The payload of a critical result's escalation (`lab-<id>-esc`). */
export interface LabEscalationPayload extends SchedulePayload {
  kind: 'lab-escalation';
  orgId: string;
  patientId: string;
  labResultId: string;
}

/**
 * What the concierge's one-time schedules do when they fire (docs/scheduling.md, "Appointment
 * notices"). A notice sends only for an appointment still `booked` at the start the notice was made
 * for, and only once per start: the mark on the appointment is conditional, and its stream record
 * is the `AppointmentReminder` that notifications address. A cancelled or moved appointment, or a
 * replayed fire, changes nothing and so sends nothing.
 */
export class ConciergeWork {
  constructor(
    private readonly appointments: Pick<AppointmentRepository, 'markNoticeSent'>,
    private readonly labResults: Pick<LabResultRepository, 'markEscalated'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async onAppointmentNotice(payload: FiredPayload<AppointmentNoticePayload>): Promise<void> {
    const { orgId, patientId, appointmentId, notice, startAt } = payload;
    const ctx = schedulerContext(orgId, payload, this.clock.now());
    const sent = await this.appointments.markNoticeSent(ctx, { patientId, appointmentId }, notice, startAt);
    this.logger.info(sent ? 'appointment notice sent' : 'appointment notice not due (cancelled, moved or sent)', { appointmentId, notice });
  }

  async onLabEscalation(payload: FiredPayload<LabEscalationPayload>): Promise<void> {
    const { orgId, patientId, labResultId } = payload;
    const ctx = schedulerContext(orgId, payload, this.clock.now());
    const marked = await this.labResults.markEscalated(ctx, patientId, labResultId);
    if (marked) this.logger.info('critical lab result escalated', { labResultId });
  }
}
