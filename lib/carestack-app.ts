import type { App, Environment } from 'aws-cdk-lib';
import { readConfig, type CareStackConfig } from './config.js';
import { StatefulStack } from './stateful/stateful-stack.js';
import { ApiStack } from './stateless/api-stack.js';
import { StatelessStack } from './stateless/stateless-stack.js';

export interface CareStackStacks {
  readonly config: CareStackConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly api: ApiStack;
}

/**
 * Adds CareStack's two stacks to an app, configured from the app's context (`stage`,
 * `auditRetention`, `corsAllowOrigins`). The CLI entry (bin/carestack.ts) and the infra tests
 * both build the app through this function.
 *
 * @param env account/region; @default - taken from the CLI's environment at deploy time
 *   (CDK_DEFAULT_ACCOUNT/REGION), unresolved at synth, so synth needs no credentials.
 */
export function addCareStack(app: App, env?: Environment): CareStackStacks {
  const config = readConfig(app);
  const prefix = `carestack-${config.stage}`;
  const tags = { project: 'carestack', stage: config.stage };

  const stateful = new StatefulStack(app, 'CareStackStateful', {
    stackName: `${prefix}-stateful`,
    description: 'CareStack data: key, table, audit bucket, user pool, event bus (all RETAIN)',
    env,
    config,
    tags,
    terminationProtection: config.stage === 'prod',
  });
  const stateless = new StatelessStack(app, 'CareStackStateless', {
    stackName: `${prefix}-stateless`,
    description: 'CareStack compute: functions, realtime API, stream consumers, audit queries',
    env,
    config,
    stateful,
    tags,
  });
  stateless.addStackDependency(stateful);
  const api = new ApiStack(app, 'CareStackApi', {
    stackName: `${prefix}-api`,
    description: 'CareStack REST API: API Gateway from the route table, Cognito authorizer, WAF',
    env,
    config,
    stateful,
    functions: stateless.apiFunctions,
    tags,
  });
  api.addStackDependency(stateless);
  return { config, stateful, stateless, api };
}
