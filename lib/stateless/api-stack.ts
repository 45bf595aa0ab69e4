import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { ApiFunctionId } from '../../lambdas/functions.js';
import { ROUTES, type RouteDef } from '../../lambdas/routes.js';
import type { CareStackConfig } from '../config.js';
import type { StatefulStack } from '../stateful/stateful-stack.js';
import { CareRestApi } from './care-rest-api.js';

export interface ApiStackProps extends StackProps {
  readonly config: CareStackConfig;
  /** The user pool of the Cognito authorizer and the key of the access logs. */
  readonly stateful: StatefulStack;
  /** One function per domain (the stateless stack's); every route's `fn` must be a key here. */
  readonly functions: Readonly<Record<ApiFunctionId, lambda.IFunction>>;
  /**
   * The REST routes to build. Only the resource-budget test passes a subset, to measure what a
   * route costs in resources.
   * @default ROUTES (lambdas/routes.ts)
   */
  readonly routes?: readonly RouteDef[];
}

/**
 * The REST API in a stack of its own. API Gateway resources grow with the route table (a method
 * per route, and a resource and its CORS preflight per new path segment: ~2.4 CloudFormation
 * resources a route), the functions grow with the domains; together the whole contract (~95
 * routes) would take the stateless stack past 60 % of CloudFormation's 500-resource limit. Here
 * the API has the room, and the stateless stack keeps its own (test/infra/resource-budget.test.ts).
 * The functions' invoke permissions are created here, beside the API they name, so the stateless
 * stack never refers back to this one.
 */
export class ApiStack extends Stack {
  readonly rest: CareRestApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    this.rest = new CareRestApi(this, 'Rest', {
      stage: config.stage,
      routes: props.routes ?? ROUTES,
      functions: props.functions,
      userPool: stateful.userPool.userPool,
      corsAllowOrigins: config.corsAllowOrigins,
      logEncryptionKey: stateful.key,
    });
    // The contract's output name (API.md, "Outputs"); the local stack writes the same one.
    new CfnOutput(this, 'ApiUrl', { value: this.rest.api.url, description: 'REST API base URL' });
  }
}
