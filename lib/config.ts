import type { Construct } from 'constructs';

export type Stage = 'dev' | 'prod';
export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** Everything the stacks read from CDK context (cdk.json or `-c key=value`), validated once. */
export interface CareStackConfig {
  readonly stage: Stage;
  /** Default Object Lock retention of the audit bucket for this stage. */
  readonly auditRetention: { readonly mode: ObjectLockMode; readonly days: number };
  /** Browser origins allowed by the REST API's CORS preflight. */
  readonly corsAllowOrigins: readonly string[];
  /** Delivery off the app (context `delivery`, all optional): see readDeliveryConfig. */
  readonly delivery: DeliveryConfig;
  /**
   * Context `alarmEmail`: an address subscribed by email to the operator alarm topic.
   * @default - no subscription (operators subscribe after deploying; docs/operations.md)
   */
  readonly alarmEmail?: string;
}

/**
 * Context `delivery`: `{ apnsPlatformApplicationArn?, fcmPlatformApplicationArn?, emailFrom?,
 * emailIdentity?, sms?, appUrl? }`. The operator creates the SNS platform applications (they hold
 * the APNs / FCM credentials) and verifies the SES identity; without them that channel is off and
 * synth still works.
 */
export interface DeliveryConfig {
  /** SNS platform application of APNs (`...:app/APNS/<name>` or `APNS_SANDBOX`). @default - no iOS push */
  readonly apnsPlatformApplicationArn?: string;
  /** SNS platform application of FCM (`...:app/GCM/<name>`). @default - no Android push */
  readonly fcmPlatformApplicationArn?: string;
  /** The From of emails, an address of `emailIdentity`. @default - no email */
  readonly emailFrom?: string;
  /** The verified SES identity (domain or address) the function may send as. @default - no email */
  readonly emailIdentity?: string;
  /** SMS through SNS. @default true */
  readonly sms: boolean;
  /** Where messages link to (`<appUrl>/notifications/<id>`). @default - the first CORS origin */
  readonly appUrl: string;
}

const STAGES: readonly Stage[] = ['dev', 'prod'];
const isStage = (value: unknown): value is Stage => STAGES.some((s) => s === value);
const isOriginList = (value: unknown): value is [string, ...string[]] =>
  Array.isArray(value) && value.length > 0 && value.every((o) => typeof o === 'string' && o !== '');

/**
 * The REST API stage's throttling (requests per second, burst). The local gateway mirrors it per
 * client when asked to (`startLocalStack({ throttle: true })`).
 */
export const STAGE_THROTTLING = { rateLimit: 100, burstLimit: 200 } as const;

/**
 * How long API Gateway keeps the Cognito authorizer's verdict for one Authorization header (the
 * authorizer's `resultsCacheTtl`; 300 s is also API Gateway's default). The local gateway caches
 * verified tokens for the same time, never past a token's own expiry.
 */
export const AUTHORIZER_RESULTS_CACHE_SECONDS = 300;

/** Days the audit writer's write-ahead plans are kept (journal bucket lifecycle; the local stack too). */
export const AUDIT_JOURNAL_EXPIRATION_DAYS = 7;

/**
 * Reads and validates the stage configuration from context. Throws with the bad value in the
 * message, so a typo in `-c stage=...` fails the synth instead of deploying something odd.
 */
export function readConfig(scope: Construct): CareStackConfig {
  const stage: unknown = scope.node.tryGetContext('stage') ?? 'dev';
  if (!isStage(stage)) {
    throw new Error(`Context "stage" must be one of ${STAGES.join(', ')}; got ${JSON.stringify(stage)}`);
  }

  const retentionByStage = scope.node.tryGetContext('auditRetention') as Partial<Record<Stage, { mode?: unknown; days?: unknown }>> | undefined;
  const retention = retentionByStage?.[stage];
  const mode = retention?.mode;
  if (!retention || (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') || !(Number(retention.days) > 0)) {
    throw new Error(
      `Context "auditRetention.${stage}" must be { mode: GOVERNANCE|COMPLIANCE, days: > 0 }; got ${JSON.stringify(retention)}`,
    );
  }
  if (stage === 'prod' && mode !== 'COMPLIANCE') {
    throw new Error(`The prod audit trail must use COMPLIANCE Object Lock; got ${mode}`);
  }

  let origins: unknown = scope.node.tryGetContext('corsAllowOrigins');
  // `-c corsAllowOrigins=...` on the command line arrives as a string (JSON or comma-separated).
  if (typeof origins === 'string') {
    origins = origins.trim().startsWith('[') ? (JSON.parse(origins) as unknown) : origins.split(',').map((o) => o.trim());
  }
  if (!isOriginList(origins)) {
    throw new Error(`Context "corsAllowOrigins" must be a non-empty list of origins; got ${JSON.stringify(origins)}`);
  }

  const alarmEmail = scope.node.tryGetContext('alarmEmail') as unknown;
  if (alarmEmail !== undefined && alarmEmail !== '' && (typeof alarmEmail !== 'string' || !/^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,}$/i.test(alarmEmail))) {
    throw new Error(`Context "alarmEmail" must be an email address; got ${JSON.stringify(alarmEmail)}`);
  }

  return {
    stage,
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
    auditRetention: { mode, days: Number(retention.days) },
    corsAllowOrigins: origins,
    delivery: readDeliveryConfig(scope.node.tryGetContext('delivery'), origins[0]),
  };
}

const PLATFORM_APP = { apns: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/APNS(_SANDBOX)?\/[\w.-]+$/, fcm: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:app\/GCM\/[\w.-]+$/ };

function readDeliveryConfig(raw: unknown, defaultAppUrl: string): DeliveryConfig {
  // `-c delivery=...` on the command line arrives as a JSON string.
  const d = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Record<string, unknown>;
  const bad = (field: string, want: string) => new Error(`Context "delivery.${field}" must be ${want}; got ${JSON.stringify(d[field])}`);
  const optional = (field: string, ok: (v: string) => boolean, want: string): string | undefined => {
    const v = d[field];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || !ok(v)) throw bad(field, want);
    return v;
  };
  const apns = optional('apnsPlatformApplicationArn', (v) => PLATFORM_APP.apns.test(v), 'an SNS platform application ARN (app/APNS/... or app/APNS_SANDBOX/...)');
  const fcm = optional('fcmPlatformApplicationArn', (v) => PLATFORM_APP.fcm.test(v), 'an SNS platform application ARN (app/GCM/...)');
  const emailIdentity = optional('emailIdentity', (v) => /^[^\s/*]+\.[a-z]{2,}$/i.test(v), 'a verified SES identity (a domain or an address)');
  const emailFrom = optional('emailFrom', (v) => /^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(v), 'an address, e.g. "CareStack <no-reply@example.org>"');
  if (!!emailFrom !== !!emailIdentity) throw bad(emailFrom ? 'emailIdentity' : 'emailFrom', 'set together with the other (sender address and its SES identity)');
  if (emailFrom && emailIdentity) {
    const domain = /@([^\s>]+)>?$/.exec(emailFrom)![1]!;
    if (emailIdentity.includes('@') ? !emailFrom.includes(emailIdentity) : domain.toLowerCase() !== emailIdentity.toLowerCase()) {
      throw bad('emailFrom', `an address of the identity ${emailIdentity}`);
    }
  }
  if (d.sms !== undefined && typeof d.sms !== 'boolean') throw bad('sms', 'true or false');
  const appUrl = optional('appUrl', (v) => /^https?:\/\/[^\s]+$/.test(v), 'an http(s) URL') ?? defaultAppUrl;
  return {
    ...(apns ? { apnsPlatformApplicationArn: apns } : {}),
    ...(fcm ? { fcmPlatformApplicationArn: fcm } : {}),
    ...(emailFrom ? { emailFrom } : {}),
    ...(emailIdentity ? { emailIdentity } : {}),
    sms: d.sms !== false,
    appUrl,
  };
}

/**
 * AppSync's `queryDepthLimit` and `resolverCountLimit` for the GraphQL API; the local endpoint
 * applies the same (local/graphql/execute.ts). Depth 10 is API.md's; the deepest real query (a
 * page of providers with their weekly windows) is 4 deep. Every route field is one resolver, so 50
 * lets a screen batch many reads in one request while thousands of aliases of a field are refused
 * before anything runs.
 */
export const GRAPHQL_LIMITS = { queryDepth: 10, resolverCount: 50 } as const;
