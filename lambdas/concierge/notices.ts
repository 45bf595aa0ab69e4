import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import * as z from 'zod/mini';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import type { FiredPayload } from '../shared/scheduling/scheduler.js';
import type { AppointmentRepository } from './appointments/repository.js';
import type { LabResultRepository } from './lab-results/repository.js';
import type { NoticeKind } from './rules.js';

/**
 * Concierge's one-time schedule names. One notice per appointment, start and offset
 * `appt-<id>-<YYYYMMDDTHHMM>-<24h|1h>`: the start is in the name so a reschedule puts the new notices
 * before it commits and removes the old ones after, never overwriting a notice the appointment may
 * still keep. One escalation per critical lab result `lab-<labResultId>-esc`.
 */
export const CONCIERGE_SCHEDULE_NAMES = {
  appointmentNotice: (appointmentId: string, startAt: string, notice: NoticeKind) =>
    `appt-${appointmentId}-${new Date(startAt).toISOString().slice(0, 16).replace(/[-:]/g, '')}-${notice}`,
  labEscalation: (labResultId: string) => `lab-${labResultId}-esc`,
};

/** The payload of an appointment notice: the start it was made for. */
export const AppointmentNoticePayload = z.object({
  kind: z.literal('appointment-notice'),
  orgId: z.string(),
  patientId: z.string(),
  appointmentId: z.string(),
  notice: z.enum(['24h', '1h']),
  startAt: z.string(),
});
export type AppointmentNoticePayload = z.infer<typeof AppointmentNoticePayload>;

/** The payload of a critical result's escalation. */
export const LabEscalationPayload = z.object({
  kind: z.literal('lab-escalation'),
  orgId: z.string(),
  patientId: z.string(),
  labResultId: z.string(),
});
export type LabEscalationPayload = z.infer<typeof LabEscalationPayload>;

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
