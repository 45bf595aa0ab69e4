/**
 * The scheduling port: everything that must happen at a time (a medication's dose slots, a dose's
 * missed-dose check, an incident's report deadline) is a named schedule that later delivers a JSON
 * payload to the scheduled-work function. On AWS it is EventBridge Scheduler
 * (`aws-scheduler.ts`); locally a scheduler on the virtual clock (`local/scheduler.ts`).
 *
 * Names are derived from the entity (each domain's, beside its payloads), never random: replacing a medication's
 * schedules is "delete the names that should no longer exist, put the ones that should", and a
 * repeated put of the same name is an update, so nothing can leak or double up.
 */

/** A day of the week as EventBridge Scheduler's cron spells it. */
export const DAYS_OF_WEEK = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** What every fire delivers: the payload given at put time, plus the time it was scheduled for. */
export type SchedulePayload = Record<string, unknown> & { kind: string };
export type FiredPayload<P extends SchedulePayload = SchedulePayload> = P & {
  /**
   * When the fire was scheduled for, ISO 8601 UTC (`<aws.scheduler.scheduled-time>` on AWS).
   * Handlers take "when" from here, never from the wall clock, so a replayed fire is idempotent.
   */
  scheduledTime: string;
  /** The schedule's own name (so a handler can remove a schedule that should no longer exist). */
  scheduleName: string;
};

export interface RecurringSchedule {
  name: string;
  /** Local wall-clock time in `timezone`; `daysOfWeek` absent = every day. */
  cron: { minute: number; hour: number; daysOfWeek?: readonly DayOfWeek[] };
  /** IANA zone the cron is read in: daylight-saving changes move nothing. */
  timezone: string;
  /** First local day (YYYY-MM-DD) on which it may fire. */
  startDate: string;
  /** Last local day (YYYY-MM-DD) on which it may fire. @default - no end */
  endDate?: string;
  payload: SchedulePayload;
}

export interface OneTimeSchedule {
  name: string;
  /** ISO 8601 UTC; precision one minute on AWS (seconds are dropped). */
  at: string;
  payload: SchedulePayload;
}

export interface Scheduler {
  /** Creates the schedule, or replaces the one of that name. */
  putRecurring(schedule: RecurringSchedule): Promise<void>;
  /** Creates (or replaces) a schedule that fires once and is then deleted. */
  putOneTime(schedule: OneTimeSchedule): Promise<void>;
  /** Deletes the schedule; deleting one that does not exist is fine. */
  delete(name: string): Promise<void>;
}

/*
 * Schedule names: `[0-9A-Za-z_.-]`, at most 64 characters (EventBridge Scheduler's limit), unique in
 * the schedule group. Each domain derives its own from its entity ids (ULIDs, unique across orgs)
 * beside its payloads (e.g. MEDICATION_SCHEDULE_NAMES in lambdas/medications/schedules.ts), under a
 * prefix of its own: `med-`, `miss-`, `inc-`, `rsp-`, `appt-`, `lab-`, `visit-`, `dlv-`.
 */
