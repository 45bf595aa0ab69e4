import type { Clock } from '../clock.js';
import type { Db } from '../data/db.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from './scheduler.js';

/** What every scheduled job is built from (the scheduled-work function's dependencies). */
export interface ScheduledWorkDeps {
  db: Db;
  /** For the one-time schedules a fire sets (a dose's missed-dose check) and self-repair. */
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
}
