import type { Clock } from '../shared/clock.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import { scheduleNames, type FiredPayload, type SchedulePayload, type Scheduler } from '../shared/scheduling/scheduler.js';
import type { StoredVisit, VisitRepository } from './visit-repository.js';
import { lateCheckAt, missedCheckAt } from './rules.js';

/** What a visit's late or missed check delivers to the scheduled-work function. */
export interface VisitCheckPayload extends SchedulePayload {
  kind: 'visit-late' | 'visit-missed';
  orgId: string;
  patientId: string;
  visitId: string;
  aideId: string;
  scheduledStart: string;
  scheduledEnd: string;
}

/**
 * A visit's two one-time schedules (docs/scheduling.md): `visit-<id>-late` at scheduled start +
 * 15 min and `visit-<id>-missed` at scheduled end, while the visit is `assigned`. Names are derived,
 * so `sync` after every change of the visit (assign, reassign, cancel, check-in) puts both again
 * (a put of an existing name moves it) or deletes both: nothing leaks or doubles up.
 */
export class VisitSchedules {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  async sync(orgId: string, visit: StoredVisit, now: string): Promise<void> {
    const late = scheduleNames.visitLate(visit.id);
    const missed = scheduleNames.visitMissed(visit.id);
    if (visit.status !== 'assigned' || !visit.aideId) {
      await Promise.all([this.scheduler.delete(late), this.scheduler.delete(missed)]);
      return;
    }
    const base = {
      orgId, patientId: visit.patientId, visitId: visit.id, aideId: visit.aideId,
      scheduledStart: visit.scheduledStart, scheduledEnd: visit.scheduledEnd,
    };
    const plan: Array<[string, string, VisitCheckPayload['kind']]> = [
      [late, lateCheckAt(visit.scheduledStart), 'visit-late'],
      [missed, missedCheckAt(visit.scheduledEnd), 'visit-missed'],
    ];
    for (const [name, at, kind] of plan) {
      // A check already in the past (a visit assigned late) is not set: the visit is on the board.
      if (Date.parse(at) <= Date.parse(now)) await this.scheduler.delete(name);
      else await this.scheduler.putOneTime({ name, at, payload: { kind, ...base } satisfies VisitCheckPayload });
    }
    this.logger.info('visit checks set', { visitId: visit.id });
  }
}

/**
 * What the fires do. Each re-reads the visit and acts only if it still applies to the visit as
 * stored (assigned, to the same aide, for the same times, and the fire not early); the write is
 * conditional on exactly that, so a replayed fire, or one racing a check-in, changes nothing.
 */
export class VisitWork {
  constructor(
    private readonly repo: VisitRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** 15 minutes past the start without check-in: `lateNotifiedAt` once -> `VisitLate` (events.ts). */
  async onLate(payload: FiredPayload<VisitCheckPayload>): Promise<void> {
    const visit = await this.stillApplies(payload, lateCheckAt);
    if (visit && (await this.repo.markLate(this.context(payload), visit))) this.logger.info('visit late', { visitId: visit.id });
  }

  /** The end passed without check-in: `missed` once -> `VisitMissed`. */
  async onMissed(payload: FiredPayload<VisitCheckPayload>): Promise<void> {
    const visit = await this.stillApplies(payload, (_start, end) => missedCheckAt(end));
    if (visit && (await this.repo.markMissed(this.context(payload), visit))) this.logger.info('visit missed', { visitId: visit.id });
  }

  private async stillApplies(payload: FiredPayload<VisitCheckPayload>, due: (start: string, end: string) => string): Promise<StoredVisit | undefined> {
    const visit = await this.repo.getVisit(payload.orgId, payload.patientId, payload.visitId, true);
    if (!visit || visit.status !== 'assigned' || visit.aideId !== payload.aideId) return undefined;
    if (visit.scheduledStart !== payload.scheduledStart || visit.scheduledEnd !== payload.scheduledEnd) return undefined;
    if (Date.parse(payload.scheduledTime) < Date.parse(due(visit.scheduledStart, visit.scheduledEnd))) {
      this.logger.warn('visit check fired early; ignored', { scheduleName: payload.scheduleName });
      return undefined;
    }
    return visit;
  }

  private context(payload: FiredPayload<VisitCheckPayload>): WriteContext {
    return schedulerContext(payload.orgId, payload, this.clock.now());
  }
}
