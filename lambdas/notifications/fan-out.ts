import type { EventBridgeEvent } from 'aws-lambda';
import type { Clock } from '../shared/clock.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { careEventFromBusDetail } from '../shared/events/bus-detail.js';
import type { Logger } from '../shared/logger.js';
import { notificationId } from './notification-id.js';
import type { Db } from '../shared/data/db.js';
import { NotificationsRepository } from './repository.js';
import { resolveRecipients, type NotificationRule } from './rules.js';

export type BusHandler = (event: EventBridgeEvent<string, unknown>) => Promise<{ notified: number; repeated: number }>;

export interface FanOutDeps {
  repo: NotificationsRepository;
  /** Event type -> who is notified and of what (every domain's, lambdas/platform-registry.ts). */
  rules: Readonly<Record<string, NotificationRule>>;
  clock: Clock;
  logger: Logger;
}

/**
 * Domain event on the bus -> one inbox item per recipient (`rules`). Each item is its
 * own transaction with the recipient's unread counter, keyed by (event, recipient): a redelivered
 * or retried event creates nothing twice and the count stays exact. If any recipient fails, the
 * invocation fails after trying them all, and the retry fills in only what is missing.
 */
export function createNotificationFanOut(deps: FanOutDeps): BusHandler {
  return async (busEvent) => {
    const event = careEventFromBusDetail(busEvent.detail);
    const rule = deps.rules[event.type];
    if (!rule) {
      deps.logger.warn('no notification rule for event type', { type: event.type, eventId: event.id });
      return { notified: 0, repeated: 0 };
    }
    const recipients = await resolveRecipients(rule, event, deps.repo);
    const message = rule.message(event);
    const ctx: WriteContext = {
      orgId: event.orgId,
      actorId: 'system',
      actorRoles: [],
      // The source event's id: the audit row of each notification leads back to its cause.
      requestId: event.id,
      source: 'system',
      now: deps.clock.now().toISOString(),
    };
    const results = await Promise.allSettled(
      recipients.map((userId) =>
        deps.repo.create(ctx, {
          id: notificationId(event.id, userId, event.at),
          userId,
          type: event.type,
          ...message,
          ...(event.patientId ? { patientId: event.patientId } : {}),
          entityType: event.entityType,
          entityId: event.entityId,
          sourceEventId: event.id,
        }),
      ),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) {
      deps.logger.error('notification fan-out failed for some recipients', { eventId: event.id, failed: failed.length, error: failed[0]!.reason as Error });
      throw new Error(`Fan-out of ${event.type} ${event.id} failed for ${failed.length} of ${recipients.length} recipients`);
    }
    const notified = results.filter((r) => r.status === 'fulfilled' && r.value).length;
    deps.logger.info('notifications created', { eventId: event.id, type: event.type, notified, repeated: recipients.length - notified });
    return { notified, repeated: recipients.length - notified };
  };
}

export interface NotificationsFanOutDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Event type -> who is notified and of what (NOTIFICATION_RULES, lambdas/platform-registry.ts). */
  rules: Readonly<Record<string, NotificationRule>>;
}

/**
 * The bus target: domain events -> inbox items. A function of its own (`notificationsFanOut`,
 * lambdas/platform.ts): it reads every domain's notification rules, which the inbox routes' function
 * does not carry, and it carries none of the inbox routes.
 */
export function createNotificationsBusHandler(deps: NotificationsFanOutDeps): BusHandler {
  return createNotificationFanOut({ repo: new NotificationsRepository(deps.db), rules: deps.rules, clock: deps.clock, logger: deps.logger });
}
