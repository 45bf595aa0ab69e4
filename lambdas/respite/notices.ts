import type { RespiteSession } from '../../schemas/respite.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import { deleteAll } from '../shared/scheduling/schedule-writes.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { remindersAhead, wholeMinuteAtOrAfter } from '../shared/scheduling/timing.js';
import { RESPITE_SCHEDULE_NAMES, type RespiteWorkPayload } from './respite-work.js';
import { lateCheckAt } from './rules.js';

/**
 * A confirmed session's one-time schedules: the notices at start - 24 h and start - 1 h and the late
 * check-in check, with derived names. Set after the confirmation commits (offers), removed by a
 * cancellation or a check-in (sessions); their fires re-check the session (respite-work.ts), so a
 * schedule that outlives its session sends nothing.
 */
export class SessionNotices {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  /** After a confirmation commits: the notices still ahead and the late check-in check. */
  async set(ctx: WriteContext, session: RespiteSession): Promise<void> {
    const base = { orgId: ctx.orgId, patientId: session.patientId, sessionId: session.id, startAt: session.startAt };
    const puts = [
      ...remindersAhead(session.startAt, new Date(ctx.now)).map((r) => ({
        name: RESPITE_SCHEDULE_NAMES.session(session.id, r.which),
        at: wholeMinuteAtOrAfter(r.at),
        payload: { kind: 'respite-reminder', which: r.which, ...base } satisfies RespiteWorkPayload,
      })),
      { name: RESPITE_SCHEDULE_NAMES.session(session.id, 'late'), at: wholeMinuteAtOrAfter(lateCheckAt(session.startAt)), payload: { kind: 'respite-late', ...base } satisfies RespiteWorkPayload },
    ];
    for (const s of puts) {
      try {
        await this.scheduler.putOneTime(s);
      } catch (err) {
        // The session is confirmed (the decision is the table's); a missing notice is logged loudly.
        this.logger.error('respite notice not scheduled', { name: s.name, error: err as Error });
      }
    }
  }

  /** A cancelled or checked-in session's notices and late check. */
  async remove(sessionId: string): Promise<void> {
    // Best effort: a notice left behind finds the session cancelled or checked in and sends nothing.
    const names = (['24h', '1h', 'late'] as const).map((which) => RESPITE_SCHEDULE_NAMES.session(sessionId, which));
    await deleteAll(this.scheduler, names, { logger: this.logger });
  }
}
