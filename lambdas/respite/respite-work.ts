import type { Clock } from '../shared/clock.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import * as z from 'zod/mini';
import { schedulerContext } from '../shared/scheduling/schedule-writes.js';
import type { FiredPayload } from '../shared/scheduling/scheduler.js';
import type { ReminderWhich } from '../shared/scheduling/timing.js';
import type { OfferRepository } from './offers/repository.js';
import type { SessionRepository } from './sessions/repository.js';

/**
 * Respite's one-time schedule names: an offer's expiry `rsp-offer-<offerId>`; a confirmed session's
 * notices and late check `rsp-<sessionId>-<24h|1h|late>`.
 */
export const RESPITE_SCHEDULE_NAMES = {
  offerExpiry: (offerId: string) => `rsp-offer-${offerId}`,
  session: (sessionId: string, which: ReminderWhich | 'late') => `rsp-${sessionId}-${which}`,
};

const SessionRef = { orgId: z.string(), patientId: z.string(), sessionId: z.string() };

/** The payloads of respite's one-time schedules. */
export const RespiteOfferExpiryPayload = z.object({ kind: z.literal('respite-offer-expiry'), ...SessionRef, offerId: z.string() });
export const RespiteReminderPayload = z.object({ kind: z.literal('respite-reminder'), ...SessionRef, which: z.enum(['24h', '1h']), startAt: z.string() });
export const RespiteLatePayload = z.object({ kind: z.literal('respite-late'), ...SessionRef, startAt: z.string() });
export type RespiteWorkPayload = z.infer<typeof RespiteOfferExpiryPayload> | z.infer<typeof RespiteReminderPayload> | z.infer<typeof RespiteLatePayload>;

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
    private readonly sessions: SessionRepository,
    private readonly offers: OfferRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The offer was not answered in time: `offered -> expired`. */
  async onOfferExpiry(p: Fired<'respite-offer-expiry'>): Promise<void> {
    const expired = await this.offers.expireOffer(this.ctx(p), p);
    if (expired) this.logger.info('respite offer expired', { offerId: p.offerId });
  }

  /** A notice (start - 24 h, start - 1 h) to the requester and the aide, for a confirmed session only. */
  async onReminder(p: Fired<'respite-reminder'>): Promise<void> {
    const session = await this.sessions.getSession(p.orgId, p.patientId, p.sessionId);
    if (!session || session.status !== 'confirmed' || session.startAt !== p.startAt || !session.aideId) return;
    const recipients = [...new Set([session.requestedBy, session.aideId])];
    const sent = await this.sessions.putReminder(this.ctx(p), session, p.which, recipients);
    if (sent) this.logger.info('respite reminder', { sessionId: session.id, which: p.which });
  }

  /** 15 minutes after start and still not checked in: marked late once, which notifies the coordinators. */
  async onLate(p: Fired<'respite-late'>): Promise<void> {
    const session = await this.sessions.getSession(p.orgId, p.patientId, p.sessionId);
    if (!session || session.status !== 'confirmed' || session.startAt !== p.startAt) return;
    const marked = await this.sessions.markLate(this.ctx(p), session);
    if (marked) this.logger.info('respite session late', { sessionId: session.id });
  }

  private ctx(p: FiredPayload & { orgId: string }): WriteContext {
    return schedulerContext(p.orgId, p, this.clock.now());
  }
}
