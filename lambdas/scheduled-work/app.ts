import type { EventBridgeEvent } from 'aws-lambda';
import { MalformedPayloadError, type EventReactionSpec, type ScheduledJobSpec } from '../shared/domain/domain-module.js';
import { careEventFromBusDetail } from '../shared/events/bus-detail.js';
import type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';
import type { FiredPayload } from '../shared/scheduling/scheduler.js';

export type { ScheduledWorkDeps } from '../shared/scheduling/scheduled-work-deps.js';

/** One kind of scheduled work, built: the payload's `kind` picks it. */
export type ScheduledJob = (payload: FiredPayload) => Promise<void>;

/**
 * The target of every schedule (EventBridge Scheduler on AWS, the local scheduler locally). It
 * receives the schedule's JSON payload with `scheduledTime` filled in and dispatches on `kind` to
 * the job its domain declares (its `jobs.ts`; JOBS in lambdas/jobs.ts), which parses
 * the payload with its kind's schema first. A failure is thrown: Scheduler's retry policy runs it
 * again (every job is idempotent in the scheduled time), and after the retries the fire lands in the
 * schedule DLQ. A payload no job can take is logged and dropped: retrying cannot fix it.
 */
export function createScheduledWorkHandler(
  deps: ScheduledWorkDeps,
  jobs: Readonly<Record<string, ScheduledJobSpec>>,
  extra: Readonly<Record<string, ScheduledJob>> = {},
): (payload: FiredPayload) => Promise<void> {
  const built = new Map<string, ScheduledJob>(Object.entries(extra));
  for (const [kind, spec] of Object.entries(jobs)) {
    if (built.has(kind)) throw new Error(`Scheduled job kind ${kind} is declared twice`);
    built.set(kind, spec.build(deps));
  }
  return async (payload) => {
    const job = typeof payload?.kind === 'string' ? built.get(payload.kind) : undefined;
    if (!job || typeof payload.scheduledTime !== 'string' || Number.isNaN(Date.parse(payload.scheduledTime))) {
      deps.logger.error('unknown or malformed scheduled payload', { kind: String(payload?.kind), scheduleName: String(payload?.scheduleName) });
      return;
    }
    deps.logger.info('scheduled work', { kind: payload.kind, scheduleName: payload.scheduleName, scheduledTime: payload.scheduledTime });
    try {
      await job(payload);
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      deps.logger.error('unknown or malformed scheduled payload', { kind: payload.kind, scheduleName: payload.scheduleName, issues: e.issues });
    }
  };
}

/**
 * The same function as the target of a bus rule: each domain event type a domain reacts to
 * (`reactions` of its jobs, REACTIONS in lambdas/jobs.ts; the rule's `detail-type` list is
 * REACTION_EVENT_TYPES) runs that domain's reaction, such as assisted living setting an incident's
 * deadline schedule. Kept in the scheduled-work function because it already may manage schedules
 * and pass the scheduler role, so no API function needs scheduling permissions for it. A failure is
 * thrown: EventBridge retries, then the event lands in the schedule DLQ.
 */
export function createScheduledWorkBusHandler(
  deps: ScheduledWorkDeps,
  reactions: Readonly<Record<string, EventReactionSpec>>,
): (event: EventBridgeEvent<string, unknown>) => Promise<void> {
  const built = new Map(Object.entries(reactions).map(([type, spec]) => [type, spec.build(deps)]));
  return async (busEvent) => {
    const event = careEventFromBusDetail(busEvent.detail);
    const react = built.get(event.type);
    if (!react) {
      deps.logger.warn('bus event the scheduled-work function does not handle', { type: event.type, eventId: event.id });
      return;
    }
    await react(event);
  };
}
