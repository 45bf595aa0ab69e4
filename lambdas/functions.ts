/**
 * Every Lambda function of CareStack, described once.
 *
 * The CDK app creates one function per entry with the shared function construct; the local stack
 * imports each `app` module and builds the same handler with local dependencies. `entry` exports
 * `handler` (AWS wiring from environment variables); `app` exports the factory the local stack and
 * the tests call with their own dependencies.
 */
export const FUNCTIONS = {
  /** Identity and people: /me, /users, /patients, care teams. */
  identity: {
    entry: 'lambdas/identity/handler.ts',
    app: 'lambdas/identity/app.ts',
    kind: 'api',
    description: 'Identity and people: users, patients, care teams',
  },
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
  /** The caller's inbox (/me/notifications), and the bus target that fans domain events out to inboxes. */
  notifications: {
    entry: 'lambdas/notifications/handler.ts',
    app: 'lambdas/notifications/app.ts',
    kind: 'api',
    description: 'Notifications: inbox routes and the fan-out of domain events to recipients',
  },
  /** Assisted living: incident reports with regulatory deadlines, resident dashboards. */
  assistedLiving: {
    entry: 'lambdas/assisted-living/handler.ts',
    app: 'lambdas/assisted-living/app.ts',
    kind: 'api',
    description: 'Assisted living: incident reports with regulatory deadlines, resident dashboards',
  },
  /** Secure messaging: conversations, messages, read receipts, attachments. */
  messaging: {
    entry: 'lambdas/messaging/handler.ts',
    app: 'lambdas/messaging/app.ts',
    kind: 'api',
    description: 'Secure messaging: conversations, messages, read receipts, attachments',
  },
  /** Medication adherence: medications, doses, confirmations, alerts, adherence. */
  medications: {
    entry: 'lambdas/medications/handler.ts',
    app: 'lambdas/medications/app.ts',
    kind: 'api',
    description: 'Medication adherence: medications, doses, confirmations, alerts, adherence',
  },
  /** Caregiver respite: caregiver profiles, yearly budgets, sessions, offers to aides. */
  respite: {
    entry: 'lambdas/respite/handler.ts',
    app: 'lambdas/respite/app.ts',
    kind: 'api',
    description: 'Caregiver respite: caregiver profiles, yearly hour budgets, sessions, offers to aides',
  },
  /** Medical concierge: providers, free slots, appointments, lab results, treatment plans. */
  concierge: {
    entry: 'lambdas/concierge/handler.ts',
    app: 'lambdas/concierge/app.ts',
    kind: 'api',
    description: 'Medical concierge: providers, appointments, lab results, treatment plans',
  },
  /** Home health: aide profiles, the aide calendar, visits with EVV, routes, supplies, service logs. */
  homeHealth: {
    entry: 'lambdas/home-health/handler.ts',
    app: 'lambdas/home-health/app.ts',
    kind: 'api',
    description: 'Home health: aides, visits with EVV, day routes, supplies, service logs',
  },
  /** EventBridge Scheduler target: dose slots, missed-dose checks, incident deadlines. */
  scheduledWork: {
    entry: 'lambdas/scheduled-work/handler.ts',
    app: 'lambdas/scheduled-work/app.ts',
    kind: 'scheduled',
    description: 'Runs scheduled work: dose slots, missed-dose checks, incident deadlines, visit checks, appointment notices, lab escalations',
  },
  /** Bus target of NotificationCreated and of quiet-hours releases: push, SMS and email off the app. */
  delivery: {
    entry: 'lambdas/delivery/handler.ts',
    app: 'lambdas/delivery/app.ts',
    kind: 'bus',
    description: 'Delivers inbox notifications off the app: push, SMS, email',
  },
  /** Patient access reports (accounting of disclosures) from the audit trail, on Athena. */
  accessReports: {
    entry: 'lambdas/access-reports/handler.ts',
    app: 'lambdas/access-reports/app.ts',
    kind: 'api',
    description: 'Patient access reports: who read or changed a patient record, from the audit trail',
  },
  /** Invitations: staff invite patients and family by email (API.md, "Invitations and sign-up"). */
  invitations: {
    entry: 'lambdas/invitations/handler.ts',
    app: 'lambdas/invitations/app.ts',
    kind: 'api',
    description: 'Invitations: invite patients and family, list and revoke',
  },
  /** Cognito pre-sign-up trigger: admits only a sign-up with a valid invitation for that email. */
  preSignUp: {
    entry: 'lambdas/invitations/pre-sign-up.ts',
    app: 'lambdas/invitations/triggers.ts',
    kind: 'cognito-trigger',
    description: 'Admits a sign-up only with a pending invitation for that email',
  },
  /** Cognito post-confirmation trigger: accepts the invitation once, puts the login in its group. */
  postConfirmation: {
    entry: 'lambdas/invitations/post-confirmation.ts',
    app: 'lambdas/invitations/triggers.ts',
    kind: 'cognito-trigger',
    description: 'Accepts the invitation: profile, patient link or care team, group',
  },
  /** Cognito pre-token-generation trigger (V2): the org and patient in ID and access tokens. */
  tokenClaims: {
    entry: 'lambdas/invitations/token-claims.ts',
    app: 'lambdas/invitations/triggers.ts',
    kind: 'cognito-trigger',
    description: 'Adds the org and patient claims to ID and access tokens',
  },
} as const;

export type FunctionId = keyof typeof FUNCTIONS;
export type ApiFunctionId = {
  [K in FunctionId]: (typeof FUNCTIONS)[K]['kind'] extends 'api' ? K : never;
}[FunctionId];
