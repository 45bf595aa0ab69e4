/**
 * The local stack's virtual clock: real time plus an offset that only grows. Everything local
 * (handlers, seed, TTL sweeper, scheduler) reads "now" from it; `POST /_local/clock` moves it
 * forward, so a test or a demo can walk through a week of doses in seconds. The offset is kept
 * under the data dir, so a restarted stack does not travel back in time.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Clock } from '../lambdas/shared/clock.js';

export interface VirtualClock extends Clock {
  /** Moves "now" to `to` (never backwards: an earlier time is ignored). */
  advanceTo(to: Date): Promise<void>;
}

export interface VirtualClockOptions {
  /** The real clock underneath. @default the system clock */
  base?: Clock;
  /** Where the offset is kept. @default - memory only */
  file?: string;
}

export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const base = options.base ?? { now: () => new Date() };
  let offsetMs = options.file ? readOffset(options.file) : 0;
  return {
    now: () => new Date(base.now().getTime() + offsetMs),
    async advanceTo(to) {
      const delta = to.getTime() - (base.now().getTime() + offsetMs);
      if (delta <= 0) return;
      offsetMs += delta;
      if (options.file) await writeFile(options.file, JSON.stringify({ offsetMs }) + '\n');
    },
  };
}

function readOffset(file: string): number {
  try {
    const { offsetMs } = JSON.parse(readFileSync(file, 'utf8')) as { offsetMs?: unknown };
    return typeof offsetMs === 'number' && offsetMs > 0 ? offsetMs : 0;
  } catch {
    return 0;
  }
}
