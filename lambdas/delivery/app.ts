import type { EventBridgeEvent } from 'aws-lambda';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { MalformedPayloadError, parseFired } from '../shared/domain/domain-module.js';
import type { OffAppCatalog } from '../shared/domain/registry.js';
import type { Logger } from '../shared/logger.js';
import { EMAIL_REQUESTED, EmailRequestEntity } from '../shared/outbox/email-request.js';
import type { FiredPayload, Scheduler } from '../shared/scheduling/scheduler.js';
import { NotificationsRepository } from '../notifications/repository.js';
import { Delivery, DeliveryReleasePayload } from './delivery.js';
import type { DeliveryCounts, DeliveryMetrics } from './metrics.js';
import { DeliveryRepository } from './repository.js';
import type { Sender } from './sender.js';

export { DELIVERY_RELEASE_KIND } from './delivery.js';

export interface DeliveryFunctionDeps {
  db: Db;
  sender: Sender;
  scheduler: Scheduler;
  clock: Clock;
  logger: Logger;
  metrics?: DeliveryMetrics;
  appUrl: string;
  /** Each type's off-app line and urgency (OFF_APP, lambdas/platform-registry.ts). */
  offApp: OffAppCatalog;
}

/**
 * The bus rule's events that feed delivery: the inbox item was committed; a direct email (an
 * invitation) was requested (lambdas/shared/outbox/email-request.ts).
 */
export const DELIVERY_EVENT_TYPES = ['NotificationCreated', EMAIL_REQUESTED] as const;

const delivery = (deps: DeliveryFunctionDeps) =>
  new Delivery({ ...deps, repo: new DeliveryRepository(deps.db), inbox: new NotificationsRepository(deps.db) });

/**
 * `NotificationCreated` (one per recipient, from the inbox item's INSERT) -> the recipient's
 * channels. A failure is thrown: Lambda retries with backoff, then the event lands in the DLQ.
 */
export function createDeliveryBusHandler(deps: DeliveryFunctionDeps): (event: EventBridgeEvent<string, unknown>) => Promise<DeliveryCounts | undefined> {
  const work = delivery(deps);
  return async (busEvent) => {
    const email = emailRequested(busEvent.detail);
    if (email) return work.sendEmail({ orgId: email.orgId, requestId: email.entityId, eventId: email.id });
    const event = notificationCreated(busEvent.detail);
    if (!event) {
      deps.logger.warn('bus event the delivery function does not handle', { type: busEvent['detail-type'] });
      return undefined;
    }
    return work.deliver({
      orgId: event.orgId,
      userId: event.recipientId,
      notificationId: event.entityId,
      at: deps.clock.now(),
      requestId: event.id,
      source: 'system',
    });
  };
}

/**
 * A held message's schedule fired at the end of the quiet hours: deliver it now (decided at the
 * scheduled time). A payload that is not a release is logged and dropped (retrying cannot fix it).
 */
export function createDeliveryReleaseHandler(deps: DeliveryFunctionDeps): (payload: FiredPayload) => Promise<void> {
  const work = delivery(deps);
  return async (fired) => {
    let p: FiredPayload<DeliveryReleasePayload>;
    try {
      p = parseFired(DeliveryReleasePayload, fired);
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      // Retrying cannot fix a malformed payload.
      deps.logger.error('malformed delivery release', { scheduleName: String(fired.scheduleName), issues: e.issues });
      return;
    }
    await work.deliver({
      orgId: p.orgId,
      userId: p.userId,
      notificationId: p.notificationId,
      at: new Date(p.scheduledTime),
      requestId: `${p.scheduleName}@${p.scheduledTime}`,
      source: 'scheduler',
    });
  };
}

/**
 * The few fields of a `NotificationCreated` CareEvent this function reads, checked by hand: the
 * fan-out's zod parser would add ~90 KB to a bundle that needs five strings.
 */
function emailRequested(detail: unknown): { id: string; orgId: string; entityId: string } | undefined {
  const d = (detail ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const [id, orgId, entityId] = [str(d.id), str(d.orgId), str(d.entityId)];
  if (d.type !== EMAIL_REQUESTED || d.entityType !== EmailRequestEntity.entityType || !id || !orgId || !entityId) return undefined;
  return { id, orgId, entityId };
}

function notificationCreated(detail: unknown): { id: string; orgId: string; recipientId: string; entityId: string } | undefined {
  const d = (detail ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const [id, orgId, recipientId, entityId] = [str(d.id), str(d.orgId), str(d.recipientId), str(d.entityId)];
  if (d.type !== 'NotificationCreated' || d.entityType !== 'Notification' || !id || !orgId || !recipientId || !entityId) return undefined;
  return { id, orgId, recipientId, entityId };
}
