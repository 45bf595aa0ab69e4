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
}

const STAGES: readonly Stage[] = ['dev', 'prod'];

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
  const stage = scope.node.tryGetContext('stage') ?? 'dev';
  if (!STAGES.includes(stage)) {
    throw new Error(`Context "stage" must be one of ${STAGES.join(', ')}; got ${JSON.stringify(stage)}`);
  }

  const retentionByStage = scope.node.tryGetContext('auditRetention');
  const retention = retentionByStage?.[stage];
  if (!retention || !['GOVERNANCE', 'COMPLIANCE'].includes(retention.mode) || !(Number(retention.days) > 0)) {
    throw new Error(
      `Context "auditRetention.${stage}" must be { mode: GOVERNANCE|COMPLIANCE, days: > 0 }; got ${JSON.stringify(retention)}`,
    );
  }
  if (stage === 'prod' && retention.mode !== 'COMPLIANCE') {
    throw new Error(`The prod audit trail must use COMPLIANCE Object Lock; got ${retention.mode}`);
  }

  let origins = scope.node.tryGetContext('corsAllowOrigins');
  // `-c corsAllowOrigins=...` on the command line arrives as a string (JSON or comma-separated).
  if (typeof origins === 'string') {
    origins = origins.trim().startsWith('[') ? JSON.parse(origins) : origins.split(',').map((o) => o.trim());
  }
  if (!Array.isArray(origins) || origins.length === 0 || origins.some((o) => typeof o !== 'string' || o === '')) {
    throw new Error(`Context "corsAllowOrigins" must be a non-empty list of origins; got ${JSON.stringify(origins)}`);
  }

  return {
    stage,
    auditRetention: { mode: retention.mode, days: Number(retention.days) },
    corsAllowOrigins: origins,
  };
}
