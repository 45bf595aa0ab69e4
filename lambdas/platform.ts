import type { FunctionSpec } from './shared/domain/domain-module.js';

/**
 * The platform's own functions: they act for every domain (and read the registries), so no domain
 * declares them. Each domain's functions come from its descriptor (lambdas/domains.ts).
 */
export const PLATFORM_FUNCTIONS = {
  /** DynamoDB stream -> audit objects in the Object Lock bucket. */
  audit: {
    entry: 'lambdas/audit/handler.ts',
    app: 'lambdas/audit/app.ts',
    kind: 'stream',
    description: 'Writes every table change to the audit bucket',
  },
  /** DynamoDB stream -> domain events on the EventBridge bus. */
  events: {
    entry: 'lambdas/events/handler.ts',
    app: 'lambdas/events/app.ts',
    kind: 'stream',
    description: 'Publishes domain events from table changes to the bus',
  },
  /** Invoked by an operator: audit batches from StreamAuditFailures back through the audit path. */
  auditRedrive: {
    entry: 'lambdas/audit/redrive-handler.ts',
    app: 'lambdas/shared/streams/redrive.ts',
    kind: 'operator',
    description: 'Redrives failed audit batches from the stream into the audit trail (operator-invoked)',
  },
  /** Invoked by an operator: event batches from StreamEventsFailures back onto the bus. */
  eventsRedrive: {
    entry: 'lambdas/events/redrive-handler.ts',
    app: 'lambdas/shared/streams/redrive.ts',
    kind: 'operator',
    description: 'Redrives failed event batches from the stream onto the bus (operator-invoked)',
  },
  /** Cognito post-authentication trigger: audits sign-ins. */
  signInAudit: {
    entry: 'lambdas/sign-in-audit/handler.ts',
    app: 'lambdas/sign-in-audit/app.ts',
    kind: 'cognito-trigger',
    description: 'Records each sign-in for the audit trail',
  },
  /** EventBridge Scheduler target: every domain's scheduled work (lambdas/jobs.ts, JOBS). */
  scheduledWork: {
    entry: 'lambdas/scheduled-work/handler.ts',
    app: 'lambdas/scheduled-work/app.ts',
    kind: 'scheduled',
    description: 'Runs scheduled work: dose slots, missed-dose checks, incident deadlines, visit checks, appointment notices, lab escalations',
  },
  /** Bus target of the notifying event types: one inbox item per recipient (every domain's rules). */
  notificationsFanOut: {
    entry: 'lambdas/notifications-fan-out/handler.ts',
    app: 'lambdas/notifications/fan-out.ts',
    kind: 'bus',
    description: 'Fans domain events out to the inboxes of their recipients',
  },
  /** Bus target of NotificationCreated and of quiet-hours releases: push, SMS and email off the app. */
  delivery: {
    entry: 'lambdas/delivery/handler.ts',
    app: 'lambdas/delivery/app.ts',
    kind: 'bus',
    description: 'Delivers inbox notifications off the app: push, SMS, email',
  },
} as const satisfies Record<string, FunctionSpec>;
