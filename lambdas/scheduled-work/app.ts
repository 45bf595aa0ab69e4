import type { EventBridgeEvent } from 'aws-lambda';
import { IncidentDeadlineWork, INCIDENT_DEADLINE_EVENT_TYPES, type IncidentDeadlinePayload } from '../assisted-living/deadline-work.js';
import { AssistedLivingRepository } from '../assisted-living/repository.js';
import { AppointmentRepository } from '../concierge/appointments/repository.js';
import { LabResultRepository } from '../concierge/lab-results/repository.js';
import { ConciergeWork, type AppointmentNoticePayload, type LabEscalationPayload } from '../concierge/notices.js';
import { VisitRepository } from '../home-health/visit-repository.js';
import { VisitWork, type VisitCheckPayload } from '../home-health/visit-work.js';
import { DoseWork } from '../medications/dose-work.js';
import { MedicationRepository } from '../medications/repository.js';
import type { DoseSlotPayload, MissedCheckPayload } from '../medications/schedules.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { careEventFromBusDetail } from '../notifications/fan-out.js';
import type { Logger } from '../shared/logger.js';
import { RespiteRepository } from '../respite/repository.js';
import { respiteJobs } from '../respite/respite-work.js';
import type { FiredPayload, Scheduler } from '../shared/scheduling/scheduler.js';

export interface ScheduledWorkDeps {
  db: Db;
  /** For the one-time schedules a fire sets (a dose's missed-dose check) and self-repair. */
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
}

/** One kind of scheduled work: the payload's `kind` picks it. */
export type ScheduledJob = (payload: FiredPayload) => Promise<void>;

/**
 * The target of every schedule (EventBridge Scheduler on AWS, the local scheduler locally). It
 * receives the schedule's JSON payload with `scheduledTime` filled in and dispatches on `kind`.
 * A failure is thrown: Scheduler's retry policy runs it again (every job is idempotent in the
 * scheduled time), and after the retries the fire lands in the schedule DLQ.
 */
export function createScheduledWorkHandler(deps: ScheduledWorkDeps, extra: Record<string, ScheduledJob> = {}): (payload: FiredPayload) => Promise<void> {
  const doses = new DoseWork(new MedicationRepository(deps.db), deps.scheduler, deps.clock, deps.logger);
  const incidents = incidentDeadlines(deps);
  const concierge = new ConciergeWork(new AppointmentRepository(deps.db), new LabResultRepository(deps.db), deps.clock, deps.logger);
  const visits = new VisitWork(new VisitRepository(deps.db), deps.clock, deps.logger);
  const jobs: Record<string, ScheduledJob> = {
    'dose-slot': (p) => doses.onDoseSlot(p as FiredPayload<DoseSlotPayload>),
    'dose-missed-check': (p) => doses.onMissedCheck(p as FiredPayload<MissedCheckPayload>),
    'incident-deadline': (p) => incidents.onDeadline(p as FiredPayload<IncidentDeadlinePayload>),
    ...respiteJobs(new RespiteRepository(deps.db), deps.clock, deps.logger),
    'appointment-notice': (p) => concierge.onAppointmentNotice(p as FiredPayload<AppointmentNoticePayload>),
    'lab-escalation': (p) => concierge.onLabEscalation(p as FiredPayload<LabEscalationPayload>),
    'visit-late': (p) => visits.onLate(p as FiredPayload<VisitCheckPayload>),
    'visit-missed': (p) => visits.onMissed(p as FiredPayload<VisitCheckPayload>),
    ...extra,
  };
  return async (payload) => {
    const job = typeof payload?.kind === 'string' ? jobs[payload.kind] : undefined;
    if (!job || typeof payload.scheduledTime !== 'string' || Number.isNaN(Date.parse(payload.scheduledTime))) {
      // Retrying cannot fix a malformed payload: log it and let the fire end.
      deps.logger.error('unknown or malformed scheduled payload', { kind: String(payload?.kind), scheduleName: String(payload?.scheduleName) });
      return;
    }
    deps.logger.info('scheduled work', { kind: payload.kind, scheduleName: payload.scheduleName, scheduledTime: payload.scheduledTime });
    await job(payload);
  };
}

const incidentDeadlines = (deps: ScheduledWorkDeps) =>
  new IncidentDeadlineWork(new AssistedLivingRepository(deps.db), deps.scheduler, deps.clock, deps.logger);

/**
 * The same function as a bus rule's target (`INCIDENT_DEADLINE_EVENT_TYPES`): an incident reported
 * with a `reportDueBy` gets its one-time deadline schedule; a resolved one loses it. Kept in the
 * scheduled-work function because it already may manage schedules and pass the scheduler role, so
 * the assisted-living function needs no scheduling permissions at all. A failure is thrown:
 * EventBridge retries, then the event lands in the schedule DLQ.
 */
export function createScheduledWorkBusHandler(deps: ScheduledWorkDeps): (event: EventBridgeEvent<string, unknown>) => Promise<void> {
  const incidents = incidentDeadlines(deps);
  const types: readonly string[] = INCIDENT_DEADLINE_EVENT_TYPES;
  return async (busEvent) => {
    const event = careEventFromBusDetail(busEvent.detail);
    if (!types.includes(event.type) || event.entityType !== 'Incident' || !event.patientId) {
      deps.logger.warn('bus event the scheduled-work function does not handle', { type: event.type, eventId: event.id });
      return;
    }
    await incidents.onIncidentEvent({ type: event.type, orgId: event.orgId, patientId: event.patientId, incidentId: event.entityId });
  };
}
