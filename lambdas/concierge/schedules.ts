import type { Logger } from '../shared/logger.js';
import type { OneTimeSchedule, Scheduler } from '../shared/scheduling/scheduler.js';

/**
 * The concierge's one-time schedules (appointment notices, lab escalations): put all or none, and
 * delete by name. Shared by the appointment and lab-result services.
 */
export class Schedules {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  async putAll(schedules: readonly OneTimeSchedule[]): Promise<void> {
    try {
      for (const s of schedules) await this.scheduler.putOneTime(s);
    } catch (err) {
      await this.deleteAll(schedules.map((s) => s.name), true);
      throw err;
    }
  }

  /** Deletes schedules by name; `quiet` logs failures (a stale notice finds nothing to send). */
  async deleteAll(names: readonly string[], quiet = false): Promise<void> {
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
