/**
 * The local stack's wiring: every domain's API function built from local stand-ins (derived from
 * the domains, lambdas/domains.ts: each domain's factory takes the ports it needs), the bus targets
 * and the scheduled-work target as the CDK app wires them. The AWS wiring of the same factories is
 * each function's `handler.ts`.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { createDeliveryBusHandler, createDeliveryReleaseHandler, DELIVERY_EVENT_TYPES, DELIVERY_RELEASE_KIND, type DeliveryFunctionDeps } from '../lambdas/delivery/app.js';
import { DOMAINS, type ApiFunctionId } from '../lambdas/domains.js';
import { createNotificationsBusHandler } from '../lambdas/notifications/fan-out.js';
import { FHIR_MAPPINGS, JOBS, NOTIFICATION_RULES, REACTION_EVENT_TYPES, REACTIONS, NOTIFICATION_TYPES, NOTIFYING_EVENT_TYPES, OFF_APP } from '../lambdas/registry.js';
import { createScheduledWorkBusHandler, createScheduledWorkHandler } from '../lambdas/scheduled-work/app.js';
import type { DomainModule } from '../lambdas/shared/domain/domain-module.js';
import type { PlatformPorts } from '../lambdas/shared/domain/platform-ports.js';
import { EVENT_SOURCE } from '../lambdas/shared/events/care-event.js';
import type { ApiHandler } from '../lambdas/shared/http/api.js';
import type { FiredPayload } from '../lambdas/shared/scheduling/scheduler.js';
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

/** Bus rules to the platform functions, as the CDK app's rules (their event types derived from the domains). */
export const LOCAL_BUS_TARGETS: LocalBusTarget[] = [
  // As the CDK rule (lib/services/notifications.ts): notifying event types -> the notifications function.
  {
    name: 'notifications-fan-out',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...NOTIFYING_EVENT_TYPES] },
    build: (d) => createNotificationsBusHandler({ db: d.db, clock: d.clock, logger: d.logger('notificationsFanOut'), rules: NOTIFICATION_RULES }),
  },
  // As the CDK rule (lib/services/scheduled-work-events.ts): the events domains react to (an incident
  // reported or changed) -> the scheduled-work function, which sets or removes schedules on the local scheduler.
  {
    name: 'scheduled-work',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [...REACTION_EVENT_TYPES] },
    build: (d) => createScheduledWorkBusHandler({ db: d.db, scheduler: d.scheduler, clock: d.clock, logger: d.logger('scheduledWork') }, REACTIONS),
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
  offApp: OFF_APP,
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
    JOBS,
    { [DELIVERY_RELEASE_KIND]: createDeliveryReleaseHandler(localDelivery(d)) },
  );

/** Every port a domain function may need, from the local stand-ins; its logger named after the function. */
export const localPorts = (d: LocalDeps, fnId: string): PlatformPorts => ({
  db: d.db,
  clock: d.clock,
  logger: d.logger(fnId),
  corsAllowOrigins: d.corsAllowOrigins,
  scheduler: d.scheduler,
  directory: d.directory,
  // Signed local files instead of S3 presigned URLs.
  attachments: localAttachmentStore(d),
  // Athena's stand-in: DuckDB over the local audit store, one org per query.
  auditEngine: d.auditEngine,
  // Invitation emails go through the local delivery function to the outbox, as on AWS through SES.
  invitationEmails: true,
  notificationTypes: NOTIFICATION_TYPES,
  fhir: FHIR_MAPPINGS,
});

/** Every domain's API handler, built from the local ports. */
export function buildApiHandlers(deps: LocalDeps): Record<ApiFunctionId, ApiHandler>;
export function buildApiHandlers(deps: LocalDeps, domains: readonly DomainModule[]): Record<string, ApiHandler>;
export function buildApiHandlers(deps: LocalDeps, domains: readonly DomainModule[] = DOMAINS): Record<string, ApiHandler> {
  return Object.fromEntries(domains.map((domain) => [domain.id, domain.create(localPorts(deps, domain.id))]));
}
