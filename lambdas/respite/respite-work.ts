import type { Clock } from '../shared/clock.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import type { FiredPayload, SchedulePayload } from '../shared/scheduling/scheduler.js';
import type { RespiteRepository } from './repository.js';
import type { ReminderWhich } from '../shared/scheduling/timing.js';

/** The payloads of respite's one-time schedules (names: `scheduleNames.respite*`). */
export type RespiteWorkPayload = SchedulePayload &
  (
    | { kind: 'respite-offer-expiry'; orgId: string; patientId: string; sessionId: string; offerId: string }
    | { kind: 'respite-reminder'; which: ReminderWhich; orgId: string; patientId: string; sessionId: string; startAt: string }
    | { kind: 'respite-late'; orgId: string; patientId: string; sessionId: string; startAt: string }
  );

type Fired<K extends RespiteWorkPayload['kind']> = FiredPayload<Extract<RespiteWorkPayload, { kind: K }>>;

/**
 * Respite's scheduled work (docs/scheduling.md, "Respite"), run by the scheduled-work function.
 * Every fire re-reads the table and acts only if what it was set for still holds (the offer still
 * `offered`; the session still `confirmed` with the same start), and writes at most once per fire
 * target (conditional writes with derived keys), so a replay, a late fire, or a schedule that
 * outlived a cancellation sends nothing.
 */
export class RespiteWork {
  constructor(
    private readonly repo: RespiteRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The offer was not answered in time: `offered -> expired`. */
  async onOfferExpiry(p: Fired<'respite-offer-expiry'>): Promise<void> {
    const expired = await this.repo.expireOffer(this.ctx(p), p);
    if (expired) this.logger.info('respite offer expired', { offerId: p.offerId });
  }

  /** A notice (start - 24 h, start - 1 h) to the requester and the aide, for a confirmed session only. */
  async onReminder(p: Fired<'respite-reminder'>): Promise<void> {
    const session = await this.repo.getSession(p.orgId, p.patientId, p.sessionId);
    if (!session || session.status !== 'confirmed' || session.startAt !== p.startAt || !session.aideId) return;
    const recipients = [...new Set([session.requestedBy, session.aideId])];
    const sent = await this.repo.putReminder(this.ctx(p), session, p.which, recipients);
    if (sent) this.logger.info('respite reminder', { sessionId: session.id, which: p.which });
  }

  /** 15 minutes after start and still not checked in: marked late once, which notifies the coordinators. */
  async onLate(p: Fired<'respite-late'>): Promise<void> {
    const session = await this.repo.getSession(p.orgId, p.patientId, p.sessionId);
    if (!session || session.status !== 'confirmed' || session.startAt !== p.startAt) return;
    const marked = await this.repo.markLate(this.ctx(p), session);
    if (marked) this.logger.info('respite session late', { sessionId: session.id });
  }

  private ctx(p: FiredPayload & { orgId: string }): WriteContext {
    return schedulerContext(p.orgId, p, this.clock.now());
  }
}

/** The scheduled-work jobs of respite, by payload `kind`. */
export function respiteJobs(repo: RespiteRepository, clock: Clock, logger: Logger): Record<RespiteWorkPayload['kind'], (p: FiredPayload) => Promise<void>> {
  const work = new RespiteWork(repo, clock, logger);
  return {
    'respite-offer-expiry': (p) => work.onOfferExpiry(p as Fired<'respite-offer-expiry'>),
    'respite-reminder': (p) => work.onReminder(p as Fired<'respite-reminder'>),
    'respite-late': (p) => work.onLate(p as Fired<'respite-late'>),
  };
}
