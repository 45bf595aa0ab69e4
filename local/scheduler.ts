/**
 * The local stand-in for EventBridge Scheduler, behind the same `Scheduler` port: the same schedule
 * definitions (persisted under the data dir, or in memory), fired with the same payloads, the
 * scheduled time filled in as `<aws.scheduler.scheduled-time>` would be. Recurring crons are
 * expanded in the schedule's zone with Scheduler's daylight-saving semantics (a skipped local time
 * does not fire, a repeated one fires once); one-time schedules are deleted after they run.
 *
 * Time is the virtual clock's. `advanceTo(t)` fires every schedule due up to `t` in time order,
 * including schedules created by earlier fires within the window (a dose's missed-dose check),
 * moving the clock to each fire's time first so the handlers see "now" as they would on AWS.
 * A timer also fires what real time makes due while the stack runs (`start`).
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { FiredPayload, OneTimeSchedule, RecurringSchedule, Scheduler } from '../lambdas/shared/scheduling/scheduler.js';
import { expandSlots, localDate as localDateOf } from '../lambdas/shared/scheduling/zoned-time.js';
import type { VirtualClock } from './clock.js';

type Definition =
  | ({ type: 'recurring'; createdAt: string; firedUpTo?: string } & RecurringSchedule)
  | ({ type: 'once'; createdAt: string } & OneTimeSchedule);

export interface Fired {
  name: string;
  kind: string;
  scheduledTime: string;
  /** The target threw (EventBridge would retry, then send to the DLQ): the error's message. */
  error?: string;
}

export interface LocalScheduler extends Scheduler {
  /** The target every schedule invokes (the scheduled-work function). */
  setTarget(target: (payload: FiredPayload) => Promise<unknown>): void;
  /** Moves the clock to `to`, firing everything due up to then in time order; answers what fired. */
  advanceTo(to: Date): Promise<Fired[]>;
  /** The schedules that exist now (for tests, demos and the figures in the docs). */
  list(): Array<{ name: string; type: 'recurring' | 'once'; kind: string }>;
  /** Fires what real time has made due, every `intervalMs`. */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

export interface LocalSchedulerOptions {
  clock: VirtualClock;
  /** Where definitions are kept. @default - memory only */
  file?: string;
  logger?: Pick<Console, 'error'>;
}

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const { clock } = options;
  const log = options.logger ?? console;
  const schedules = new Map<string, Definition>(options.file ? load(options.file) : []);
  let target: ((payload: FiredPayload) => Promise<unknown>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // One advance at a time: fires run in time order, never interleaved.
  let queue: Promise<unknown> = Promise.resolve();
  let saving: Promise<void> = Promise.resolve();

  const save = () => {
    if (!options.file) return Promise.resolve();
    const file = options.file;
    const data = JSON.stringify([...schedules.values()], null, 1);
    saving = saving.then(async () => {
      await writeFile(`${file}.tmp`, data);
      await rename(`${file}.tmp`, file);
    });
    return saving;
  };

  /** The next fire of a definition after its last one (or its creation), if any. */
  function nextFire(def: Definition, until: Date): Date | undefined {
    if (def.type === 'once') {
      const at = new Date(def.at);
      return at <= until ? at : undefined;
    }
    const rule = {
      times: [`${pad(def.cron.hour)}:${pad(def.cron.minute)}`],
      daysOfWeek: def.cron.daysOfWeek,
      timezone: def.timezone,
      startDate: def.startDate,
      endDate: def.endDate,
    };
    // Expand a week or so at a time: a schedule fires at least weekly while it is in force.
    for (let after = new Date(def.firedUpTo ?? def.createdAt); after < until; ) {
      const end = new Date(Math.min(until.getTime(), after.getTime() + CHUNK_MS));
      const [first] = expandSlots(rule, after, end);
      if (first) return first.at;
      if (def.endDate && localDateOf(end, def.timezone) > def.endDate) return undefined;
      after = end;
    }
    return undefined;
  }

  async function advance(to: Date): Promise<Fired[]> {
    const fired: Fired[] = [];
    for (;;) {
      let due: { def: Definition; at: Date } | undefined;
      for (const def of schedules.values()) {
        const at = nextFire(def, to);
        if (at && (!due || at < due.at || (at.getTime() === due.at.getTime() && def.name < due.def.name))) due = { def, at };
      }
      if (!due) break;
      const { def, at } = due;
      await clock.advanceTo(at);
      const scheduledTime = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (def.type === 'once') schedules.delete(def.name);
      else def.firedUpTo = at.toISOString();
      await save();
      const entry: Fired = { name: def.name, kind: def.payload.kind, scheduledTime };
      try {
        if (!target) throw new Error('the local scheduler has no target');
        await target({ ...def.payload, scheduleName: def.name, scheduledTime });
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
        log.error(`[scheduler] ${def.name} at ${scheduledTime} failed`, err);
      }
      fired.push(entry);
    }
    await clock.advanceTo(to);
    return fired;
  }

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async putRecurring(s) {
      schedules.set(s.name, { ...structuredClone(s), type: 'recurring', createdAt: clock.now().toISOString() });
      await save();
    },
    async putOneTime(s) {
      schedules.set(s.name, { ...structuredClone(s), type: 'once', createdAt: clock.now().toISOString() });
      await save();
    },
    async delete(name) {
      if (schedules.delete(name)) await save();
    },
    setTarget(t) {
      target = t;
    },
    advanceTo: (to) => serial(() => advance(to)),
    list: () => [...schedules.values()].map((d) => ({ name: d.name, type: d.type, kind: d.payload.kind })),
    start(intervalMs = 15_000) {
      timer ??= setInterval(() => void serial(() => advance(clock.now())), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await queue;
      await saving;
    },
  };
}

function load(file: string): Array<[string, Definition]> {
  try {
    const defs = JSON.parse(readFileSync(file, 'utf8')) as Definition[];
    return defs.map((d) => [d.name, d]);
  } catch {
    return [];
  }
}

const CHUNK_MS = 8 * 24 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');
