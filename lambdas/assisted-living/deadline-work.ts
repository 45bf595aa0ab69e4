import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import { wholeMinuteAfter } from '../shared/scheduling/timing.js';
import { scheduleNames, type FiredPayload, type SchedulePayload, type Scheduler } from '../shared/scheduling/scheduler.js';
import type { AssistedLivingRepository } from './repository.js';

/** The payload of an incident's one-time deadline schedule (`inc-<incidentId>`). */
export interface IncidentDeadlinePayload extends SchedulePayload {
  kind: 'incident-deadline';
  orgId: string;
  patientId: string;
  incidentId: string;
}

/** The incident events the deadline follows (the bus rule's `detail-type` list). */
export const INCIDENT_DEADLINE_EVENT_TYPES = ['IncidentReported', 'IncidentUpdated'] as const;

/** What the deadline needs of an incident event: which incident, and what happened to it. */
export interface IncidentEventRef {
  type: string;
  orgId: string;
  patientId: string;
  incidentId: string;
}

/**
 * The first whole minute strictly after `reportDueBy`: EventBridge Scheduler's `at()` fires at
 * minute precision, and a fire before the deadline would find the incident not yet overdue.
 */
export const deadlineFireTime = (reportDueBy: string): string => wholeMinuteAfter(reportDueBy);

/**
 * Incident report deadlines (API.md "Assisted living", docs/scheduling.md). The assisted-living
 * service itself knows nothing of schedules: an incident reported with a `reportDueBy` reaches this
 * code as an `IncidentReported` bus event, which sets a one-time schedule just after the deadline.
 * When it fires and the incident is still not resolved, the incident is marked once
 * (`overdueNotifiedAt`, audited as `report_overdue`); the stream turns that mark into the
 * `IncidentReportOverdue` event, which notifies the org's coordinators. Resolving the incident
 * removes the schedule (best effort: a fire that finds it resolved does nothing).
 */
export class IncidentDeadlineWork {
  constructor(
    private readonly repo: AssistedLivingRepository,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** An incident was reported or changed: set its deadline, or remove it once resolved. */
  async onIncidentEvent(event: IncidentEventRef): Promise<void> {
    const { orgId, patientId, incidentId } = event;
    const name = scheduleNames.incidentDeadline(incidentId);
    // Consistent read: bus events may arrive out of order; the table says what is true now.
    const incident = await this.repo.get(orgId, patientId, incidentId, true);
    if (!incident?.reportDueBy) return; // no deadline (low or moderate severity)
    if (incident.status === 'resolved') {
      // The deadline no longer matters: remove it (deleting a missing schedule is fine).
      await this.scheduler.delete(name);
      return;
    }
    if (event.type !== 'IncidentReported') return; // still open: its deadline stands
    const payload: IncidentDeadlinePayload = { kind: 'incident-deadline', orgId, patientId, incidentId };
    const at = deadlineFireTime(incident.reportDueBy);
    if (Date.parse(at) <= this.clock.now().getTime()) {
      // Reported (or delivered) after its deadline: check now rather than schedule in the past.
      await this.onDeadline({ ...payload, scheduleName: name, scheduledTime: at });
      return;
    }
    await this.scheduler.putOneTime({ name, at, payload });
  }

  /** The deadline fired: an incident still not resolved is marked overdue (once). */
  async onDeadline(payload: FiredPayload<IncidentDeadlinePayload>): Promise<void> {
    const { orgId, patientId, incidentId } = payload;
    const incident = await this.repo.get(orgId, patientId, incidentId, true);
    if (!incident || incident.status === 'resolved' || !incident.reportDueBy) return;
    if (Date.parse(incident.reportDueBy) > Date.parse(payload.scheduledTime)) {
      // Not due yet (a schedule of another deadline): leave it to the fire that is.
      this.logger.warn('incident deadline fired early; ignored', { scheduleName: payload.scheduleName, reportDueBy: incident.reportDueBy });
      return;
    }
    const ctx = schedulerContext(orgId, payload, this.clock.now());
    const marked = await this.repo.markReportOverdue(ctx, incident);
    if (marked) this.logger.info('incident report overdue', { incidentId });
  }
}
