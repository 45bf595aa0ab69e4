import * as z from 'zod/mini';
import type { Clock } from '../shared/clock.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { Logger } from '../shared/logger.js';
import type { OffAppCatalog } from '../shared/domain/registry.js';
import type { Scheduler } from '../shared/scheduling/scheduler.js';
import { emptyCounts, type DeliveryCounts, type DeliveryMetrics } from './metrics.js';
import { renderOffApp, type OffAppMessage } from './messages.js';
import { DEFAULT_PREFERENCES } from './preferences.js';
import { quietHoursEnd } from './quiet-hours.js';
import type { Channel, DeliveryRef, DeliveryRepository, StoredDevice } from './repository.js';
import { InvalidDestinationError, type Sender, type SendResult } from './sender.js';

/** The inbox item, the source of truth: nothing is delivered that the inbox does not hold. */
export interface InboxReader {
  get(orgId: string, userId: string, notificationId: string): Promise<{ id: string; type: string } | undefined>;
}

export const DELIVERY_RELEASE_KIND = 'delivery-release';

/** One one-time release per notification held through quiet hours: `dlv-<notificationId>`. */
export const deliveryHoldName = (notificationId: string) => `dlv-${notificationId}`;

/** The payload of a held message's one-time schedule (`dlv-<notificationId>`). */
export const DeliveryReleasePayload = z.object({
  kind: z.literal(DELIVERY_RELEASE_KIND),
  orgId: z.string(),
  userId: z.string(),
  notificationId: z.string(),
});
export type DeliveryReleasePayload = z.infer<typeof DeliveryReleasePayload>;

export interface DeliveryDeps {
  repo: DeliveryRepository;
  inbox: InboxReader;
  sender: Sender;
  /** Holds non-urgent messages through quiet hours: one one-time schedule per notification. */
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics?: DeliveryMetrics;
  /** Base URL of the app; messages link to `<appUrl>/notifications/<id>`. */
  appUrl: string;
  /** Each type's off-app line and which types are urgent (every domain's, OFF_APP in lambdas/platform-registry.ts). */
  offApp: OffAppCatalog;
}

export interface DeliveryRequest {
  orgId: string;
  userId: string;
  notificationId: string;
  /** "Now" for the quiet-hours decision: the clock's on an event, the scheduled time on a release. */
  at: Date;
  /** Stamped on the delivery records: the source event's id, or `<schedule>@<scheduledTime>`. */
  requestId: string;
  source: 'system' | 'scheduler';
}

interface Destination {
  channel: Channel;
  target: string;
  to?: string;
  device?: StoredDevice;
}

/**
 * One inbox notification -> the user's chosen channels, at most once per channel and destination:
 * 1. re-read the inbox item (consistent); gone or never there: nothing is sent;
 * 2. the user's preferences (defaults when never saved) and destinations (email from the profile,
 *    the phone number, registered devices); channels the deployment cannot reach are skipped;
 * 3. a muted type is skipped on every channel;
 * 4. a non-urgent one during quiet hours is held: a one-time schedule `dlv-<notificationId>` at the
 *    end of the quiet hours fires this again (a repeat puts the same name: still one);
 * 5. otherwise each destination is claimed (a conditional write, `sending`) before its send and
 *    settled `sent` or `failed` after. A transient failure fails the invocation once all were tried,
 *    so Lambda retries; the retry claims only `failed` records. A destination SNS reports invalid is
 *    failed for good, and a push device is removed.
 */
export class Delivery {
  constructor(private readonly deps: DeliveryDeps) {}

  async deliver(req: DeliveryRequest): Promise<DeliveryCounts> {
    const { deps } = this;
    const counts = emptyCounts();
    const log = { notificationId: req.notificationId, orgId: req.orgId, userId: req.userId };
    const note = await deps.inbox.get(req.orgId, req.userId, req.notificationId);
    if (!note) {
      deps.logger.warn('delivery skipped: the notification is not in the inbox', log);
      return counts;
    }
    const prefs = (await deps.repo.preferences(req.orgId, req.userId)) ?? DEFAULT_PREFERENCES;
    const destinations: Destination[] = [];
    const skip = (channel: Channel) => counts[channel].skipped++;
    if (prefs.channels.email) {
      const email = deps.sender.available.email ? await deps.repo.userEmail(req.orgId, req.userId) : undefined;
      if (email) destinations.push({ channel: 'email', target: 'email', to: email });
      else skip('email');
    }
    if (prefs.channels.sms) {
      if (deps.sender.available.sms && prefs.phoneNumber) destinations.push({ channel: 'sms', target: 'sms', to: prefs.phoneNumber });
      else skip('sms');
    }
    if (prefs.channels.push) {
      for (const device of await deps.repo.devices(req.orgId, req.userId)) {
        if (deps.sender.available.push[device.platform]) destinations.push({ channel: 'push', target: device.id, device });
        else skip('push');
      }
    }

    if (prefs.mutedTypes.includes(note.type)) {
      for (const d of destinations) skip(d.channel);
      return this.done(counts, { ...log, type: note.type, reason: 'muted' });
    }
    const quietUntil = !deps.offApp.urgent.has(note.type) && prefs.quietHours ? quietHoursEnd(req.at, prefs.quietHours) : undefined;
    if (quietUntil && destinations.length) {
      const payload: DeliveryReleasePayload = { kind: DELIVERY_RELEASE_KIND, orgId: req.orgId, userId: req.userId, notificationId: req.notificationId };
      await deps.scheduler.putOneTime({ name: deliveryHoldName(req.notificationId), at: quietUntil.toISOString(), payload });
      for (const d of destinations) counts[d.channel].held++;
      return this.done(counts, { ...log, type: note.type, heldUntil: quietUntil.toISOString() });
    }

    const message = renderOffApp(note.type, note.id, deps.appUrl, deps.offApp.lines);
    const ctx: WriteContext = {
      orgId: req.orgId,
      actorId: req.source === 'scheduler' ? 'scheduler' : 'system',
      actorRoles: [],
      requestId: req.requestId,
      source: req.source,
      now: deps.clock.now().toISOString(),
    };
    const transient: unknown[] = [];
    await Promise.all(destinations.map((d) => this.sendOnce(ctx, req, d, message, counts, transient)));
    this.done(counts, { ...log, type: note.type });
    if (transient.length) {
      throw new Error(`Delivery of notification ${req.notificationId} failed on ${transient.length} destination(s); retrying only those`, { cause: transient[0] });
    }
    return counts;
  }

  private async sendOnce(ctx: WriteContext, req: DeliveryRequest, d: Destination, message: OffAppMessage, counts: DeliveryCounts, transient: unknown[]): Promise<void> {
    const { repo, sender, logger } = this.deps;
    const ref: DeliveryRef = { userId: req.userId, notificationId: req.notificationId, channel: d.channel, target: d.target };
    if (!(await repo.claim(ctx, ref))) {
      // Sent already, being sent, or possibly sent by a run that crashed: never twice.
      counts[d.channel].skipped++;
      return;
    }
    let result: SendResult;
    try {
      result =
        d.channel === 'email' ? await sender.email(d.to!, message, req.notificationId)
        : d.channel === 'sms' ? await sender.sms(d.to!, message, req.notificationId)
        : await sender.push({ deviceId: d.device!.id, platform: d.device!.platform, token: d.device!.token, ...(d.device!.endpointArn ? { endpointArn: d.device!.endpointArn } : {}) }, message, req.notificationId);
    } catch (err) {
      const permanent = err instanceof InvalidDestinationError;
      counts[d.channel].failed++;
      const reason = err instanceof Error ? err.name : 'Error';
      logger.warn('send failed', { channel: d.channel, notificationId: req.notificationId, reason, permanent });
      await repo.settle(ctx, ref, { status: 'failed', reason, permanent });
      if (permanent && d.device) {
        await repo.removeDevice(ctx, req.userId, d.device.id);
        const endpoint = err.endpointArn ?? d.device.endpointArn;
        if (endpoint) await sender.removeEndpoint(endpoint);
      }
      if (!permanent) transient.push(err);
      return;
    }
    counts[d.channel].sent++;
    // Sent: from here on a failure must not make it look unsent (the record stays `sending`, never resent).
    if (result.endpointArn && d.device && result.endpointArn !== d.device.endpointArn) {
      await repo.setEndpoint(ctx, req.userId, d.device.id, result.endpointArn);
    }
    await repo.settle(ctx, ref, { status: 'sent', messageId: result.messageId });
  }

  /**
   * A direct email (an invitation): the request is re-read (nothing is sent that the table does not
   * hold), claimed once, sent, and removed once sent. No preferences or quiet hours: the addressee
   * is not a user yet, and asked for it. A transient failure throws (Lambda retries, then the DLQ);
   * an address SES refuses is recorded as permanently failed and never tried again.
   */
  async sendEmail(req: { orgId: string; requestId: string; eventId: string }): Promise<DeliveryCounts> {
    const { repo, sender, logger, clock } = this.deps;
    const counts = emptyCounts();
    const log = { orgId: req.orgId, requestId: req.requestId };
    const request = await repo.emailRequest(req.orgId, req.requestId);
    if (!request) {
      logger.info('direct email skipped: no such request (sent already, or expired)', log);
      return counts;
    }
    const ctx: WriteContext = { orgId: req.orgId, actorId: 'system', actorRoles: [], requestId: req.eventId, source: 'system', now: clock.now().toISOString() };
    if (!sender.available.email || request.notAfter <= ctx.now) {
      counts.email.skipped++;
      return this.done(counts, { ...log, purpose: request.purpose, reason: sender.available.email ? 'too late' : 'no email sender' });
    }
    if (!(await repo.claimEmail(ctx, req.requestId))) {
      counts.email.skipped++;
      return this.done(counts, { ...log, purpose: request.purpose, reason: 'sent or being sent' });
    }
    let result: SendResult;
    try {
      result = await sender.email(request.to, { subject: request.subject, line: request.subject, text: request.text, link: '' }, req.requestId);
    } catch (err) {
      const permanent = err instanceof InvalidDestinationError;
      counts.email.failed++;
      const reason = err instanceof Error ? err.name : 'Error';
      logger.warn('send failed', { ...log, channel: 'email', reason, permanent });
      await repo.settleEmail(ctx, req.requestId, { status: 'failed', reason, permanent });
      this.done(counts, { ...log, purpose: request.purpose });
      if (permanent) return counts;
      throw new Error(`Direct email ${req.requestId} failed; retrying`, { cause: err });
    }
    counts.email.sent++;
    await repo.settleEmail(ctx, req.requestId, { status: 'sent', messageId: result.messageId });
    await repo.removeEmailRequest(ctx, req.requestId);
    return this.done(counts, { ...log, purpose: request.purpose });
  }

  private done(counts: DeliveryCounts, fields: Record<string, unknown>): DeliveryCounts {
    this.deps.logger.info('delivery', { ...fields, counts });
    this.deps.metrics?.publish(counts);
    return counts;
  }
}
