import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, EventBridgeEvent } from 'aws-lambda';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/data/db.js';
import { PreferencesService } from '../delivery/preferences.js';
import { DeliveryRepository } from '../delivery/repository.js';
import { createApiHandler, type ApiHandler } from '../shared/http/api.js';
import type { Logger } from '../shared/logger.js';
import { createNotificationFanOut, type BusHandler } from './fan-out.js';
import { NotificationsRepository } from './repository.js';
import { NOTIFICATIONS_ROUTES } from './routes.js';
import { NotificationsService } from './service.js';

export interface NotificationsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  corsAllowOrigins?: readonly string[];
}

/** The inbox routes (`/me/notifications...`) and the caller's delivery preferences and devices. */
export function createNotificationsHandler(deps: NotificationsDeps): ApiHandler {
  const service = new NotificationsService(new NotificationsRepository(deps.db));
  const preferences = new PreferencesService(new DeliveryRepository(deps.db));
  return createApiHandler(
    NOTIFICATIONS_ROUTES,
    {
      'GET /me/notifications': ({ caller, query }) => service.list(caller, query),
      'POST /me/notifications/{notificationId}/read': ({ write, params }) => service.markRead(write, params.notificationId),
      'PUT /me/notification-preferences': ({ write, body }) => preferences.put(write, body),
      'GET /me/notification-preferences': ({ write }) => preferences.get(write),
      'POST /me/devices': ({ write, body }) => preferences.registerDevice(write, body),
      'DELETE /me/devices/{deviceId}': ({ write, params }) => preferences.removeDevice(write, params.deviceId),
    },
    deps,
  );
}

/** The bus target: domain events -> inbox items. */
export function createNotificationsBusHandler(deps: NotificationsDeps): BusHandler {
  return createNotificationFanOut({ repo: new NotificationsRepository(deps.db), clock: deps.clock, logger: deps.logger });
}

type AnyEvent = APIGatewayProxyEvent | EventBridgeEvent<string, unknown>;

/**
 * The one Lambda entry of the `notifications` function: API Gateway requests and EventBridge rule
 * invocations (an EventBridge event has `detail-type`; a REST proxy event never does).
 */
export function createNotificationsFunction(deps: NotificationsDeps) {
  const api = createNotificationsHandler(deps);
  const bus = createNotificationsBusHandler(deps);
  return (event: AnyEvent, context: Context): Promise<APIGatewayProxyResult | Awaited<ReturnType<BusHandler>>> =>
    'detail-type' in event ? bus(event) : api(event, context);
}
