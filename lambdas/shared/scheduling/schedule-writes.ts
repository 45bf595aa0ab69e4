import type { WriteContext } from '../data/write-context.js';
import type { Logger } from '../logger.js';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from './scheduler.js';

/**
 * The write context of scheduled work: the scheduler is the actor (audit `source = scheduler`) and
 * the request id names the fire (`<schedule>@<scheduled time>`), so a replayed fire is recognisable.
 */
export function schedulerContext(orgId: string, payload: Pick<FiredPayload, 'scheduleName' | 'scheduledTime'>, now: Date): WriteContext {
  return {
    orgId,
    actorId: 'scheduler',
    actorRoles: [],
    requestId: `${payload.scheduleName}@${payload.scheduledTime}`,
    source: 'scheduler',
    now: now.toISOString(),
  };
}

/**
 * Deletes schedules by name, one after another. Without `quiet` the first failure throws; with it
 * each failure is logged as a warning and the rest are still deleted (a cleanup that may fail: a
 * schedule left behind finds its entity changed and does nothing).
 */
export async function deleteAll(scheduler: Scheduler, names: readonly string[], quiet?: { logger: Logger }): Promise<void> {
  for (const name of names) {
    try {
      await scheduler.delete(name);
    } catch (err) {
      if (!quiet) throw err;
      quiet.logger.warn('could not delete a schedule', { name, error: err as Error });
    }
  }
}

/**
 * Puts every schedule (one-time or recurring), or none: when one put fails, the names of all are
 * deleted quietly and the put's error is thrown, so a failed request leaves no schedule of its own.
 */
export async function putAll(scheduler: Scheduler, schedules: ReadonlyArray<OneTimeSchedule | RecurringSchedule>, logger: Logger): Promise<void> {
  try {
    for (const s of schedules) {
      if ('at' in s) await scheduler.putOneTime(s);
      else await scheduler.putRecurring(s);
    }
  } catch (err) {
    await deleteAll(scheduler, schedules.map((s) => s.name), { logger });
    throw err;
  }
}
