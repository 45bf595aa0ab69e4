/**
 * The local stack's wiring of each API function: how its handler is built from local dependencies.
 * The AWS wiring of the same factory is the function's `handler.ts`. A domain adds one entry.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type { ApiFunctionId } from '../lambdas/functions.js';
import { createAccessReportsHandler } from '../lambdas/access-reports/app.js';
import { createAssistedLivingHandler } from '../lambdas/assisted-living/app.js';
import { createConciergeHandler } from '../lambdas/concierge/app.js';
import { createHomeHealthHandler } from '../lambdas/home-health/app.js';
import { createIdentityHandler } from '../lambdas/identity/app.js';
import { createInvitationsHandler } from '../lambdas/invitations/app.js';
import { invitationText } from '../lambdas/invitations/mailer.js';
import { createMedicationsHandler } from '../lambdas/medications/app.js';
import { createMessagingHandler } from '../lambdas/messaging/app.js';
import { createRespiteHandler } from '../lambdas/respite/app.js';
import { INCIDENT_DEADLINE_EVENT_TYPES } from '../lambdas/assisted-living/deadline-work.js';
import { createScheduledWorkBusHandler, createScheduledWorkHandler } from '../lambdas/scheduled-work/app.js';
import type { FiredPayload } from '../lambdas/shared/scheduling/scheduler.js';
import { createNotificationsBusHandler, createNotificationsHandler } from '../lambdas/notifications/app.js';
import { NOTIFYING_EVENT_TYPES } from '../lambdas/notifications/rules.js';
import { EVENT_SOURCE } from '../lambdas/shared/events/care-event.js';
import type { ApiHandler } from '../lambdas/shared/http/api.js';
import { createDeliveryBusHandler, createDeliveryReleaseHandler, DELIVERY_EVENT_TYPES, DELIVERY_RELEASE_KIND, type DeliveryFunctionDeps } from '../lambdas/delivery/app.js';
import { localAttachmentStore } from './attachment-files.js';
import { localOutbox, outboxRoute } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import { clockRoute } from './clock-route.js';
import type { LocalDeps, LocalRoute } from './deps.js';
import { playgroundRoute } from './playground/routes.js';

export type { LocalDeps, LocalRoute } from './deps.js';

/** A function the bus invokes (an EventBridge rule target on AWS). */
export interface LocalBusTarget {
  name: string;
  pattern: { source?: string[]; 'detail-type'?: string[] };
  build: (deps: LocalDeps) => (event: EventBridgeEvent<string, Record<string, unknown>>) => Promise<unknown>;
}

/** Bus rules to functions, as the CDK app's rules. A domain adds its targets here. */
export const LOCAL_BUS_TARGETS: LocalBusTarget[] = [
  // As the CDK rule (lib/services/notifications.ts): notifying event types -> the notifications function.
  {
    name: 'notifications-fan-out',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...NOTIFYING_EVENT_TYPES] },
    build: (d) => createNotificationsBusHandler({ db: d.db, clock: d.clock, logger: d.logger('notifications') }),
  },
  // As the CDK rule (lib/services/incident-deadlines.ts): incident events -> the scheduled-work
  // function, which sets (or removes) the incident's one-time deadline schedule on the local scheduler.
  {
    name: 'incident-deadlines',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...INCIDENT_DEADLINE_EVENT_TYPES] },
    build: (d) => createScheduledWorkBusHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('scheduledWork') }),
  },
  // As the CDK rule (lib/services/delivery.ts): NotificationCreated -> the delivery function, whose
  // channels are the outbox here.
  {
    name: 'delivery',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...DELIVERY_EVENT_TYPES] },
    build: (d) => createDeliveryBusHandler(localDelivery(d)),
  },
];

/** The delivery function's dependencies, locally: the outbox instead of SNS and SES. */
const localDelivery = (d: LocalDeps): DeliveryFunctionDeps => ({
  db: d.db,
  sender: new OutboxSender(localOutbox(d)),
  scheduler: d.scheduler,
  clock: d.clock,
  logger: d.logger('delivery'),
  appUrl: process.env.CARESTACK_APP_URL ?? 'http://localhost:5173',
});

/** Local-only routes (API.md, "Local only"): the clock, file URLs, ... A domain adds its routes here. */
export const LOCAL_ROUTES: Array<(deps: LocalDeps) => LocalRoute> = [
  // Signed, expiring attachment URLs (the stand-in for S3 presigned URLs).
  (d) => localAttachmentStore(d).route,
  // The API playground: Swagger UI at /docs, the realtime page at /docs/realtime (local only).
  (d) => playgroundRoute(d),
  // The virtual clock: GET /_local/clock, POST /_local/clock { advanceTo } fires what is due.
  (d) => clockRoute(d),
  // What push, SMS and email would have carried: GET /_local/outbox?to=.
  (d) => outboxRoute(d),
];

/**
 * The target of every local schedule, as the CDK schedules target the scheduled-work function; a
 * quiet-hours release targets the delivery function on AWS, and goes to it here by its `kind`.
 */
export const LOCAL_SCHEDULED_TARGET = (d: LocalDeps): ((payload: FiredPayload) => Promise<void>) =>
  createScheduledWorkHandler(
    { db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('scheduledWork') },
    { [DELIVERY_RELEASE_KIND]: createDeliveryReleaseHandler(localDelivery(d)) },
  );

export const LOCAL_API_FUNCTIONS: Record<ApiFunctionId, (deps: LocalDeps) => ApiHandler> = {
  identity: (d) =>
    createIdentityHandler({ db: d.db, directory: d.directory, clock: d.clock, logger: d.logger('identity'), corsAllowOrigins: d.corsAllowOrigins }),
  notifications: (d) =>
    createNotificationsHandler({ db: d.db, clock: d.clock, logger: d.logger('notifications'), corsAllowOrigins: d.corsAllowOrigins }),
  assistedLiving: (d) =>
    createAssistedLivingHandler({ db: d.db, clock: d.clock, logger: d.logger('assistedLiving'), corsAllowOrigins: d.corsAllowOrigins }),
  medications: (d) =>
    createMedicationsHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('medications'), corsAllowOrigins: d.corsAllowOrigins }),
  concierge: (d) =>
    createConciergeHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('concierge'), corsAllowOrigins: d.corsAllowOrigins }),
  messaging: (d) =>
    createMessagingHandler({ db: d.db, attachments: localAttachmentStore(d), clock: d.clock, logger: d.logger('messaging'), corsAllowOrigins: d.corsAllowOrigins }),
  respite: (d) =>
    createRespiteHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('respite'), corsAllowOrigins: d.corsAllowOrigins }),
  // Athena's stand-in: DuckDB over the local audit store, one org per query (deps.auditEngine).
  accessReports: (d) =>
    createAccessReportsHandler({ db: d.db, engine: d.auditEngine, clock: d.clock, logger: d.logger('accessReports'), corsAllowOrigins: d.corsAllowOrigins }),
  homeHealth: (d) =>
    createHomeHealthHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('homeHealth'), corsAllowOrigins: d.corsAllowOrigins }),
  invitations: (d) =>
    createInvitationsHandler({
      db: d.db,
      mailer: { send: async (email) => void (await localOutbox(d).add({ channel: 'email', to: email.to, ...invitationText(email) })) },
      clock: d.clock,
      logger: d.logger('invitations'),
      corsAllowOrigins: d.corsAllowOrigins,
    }),
};

export function buildApiHandlers(deps: LocalDeps): Record<ApiFunctionId, ApiHandler> {
  return Object.fromEntries(
    Object.entries(LOCAL_API_FUNCTIONS).map(([id, build]) => [id, build(deps)]),
  ) as Record<ApiFunctionId, ApiHandler>;
}
