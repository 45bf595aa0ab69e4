import { readFileSync } from 'node:fs';
import { NestedStack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { apiFunctionOf, type ApiFunctionId } from '../../lambdas/domains.js';
import { ROUTES, type RouteDef } from '../../lambdas/routes.js';
import { fromRoot } from '../paths.js';

export interface GraphqlFieldsProps {
  readonly api: appsync.IGraphqlApi;
  /** One function per domain: the one that serves the routes over REST; every route's `fn` must be a key here. */
  readonly functions: Readonly<Partial<Record<ApiFunctionId, lambda.IFunction>>>;
  /**
   * The routes whose fields get resolvers (schemas/api.graphql has a field for each).
   * @default ROUTES (lambdas/routes.ts), all but the unauthenticated `GET /health`
   */
  readonly routes?: readonly RouteDef[];
}

/** The shared resolver of every route field (schemas/resolvers/route.js). */
export const ROUTE_RESOLVER_FILE = fromRoot('schemas', 'resolvers', 'route.js');

/**
 * Every REST route's GraphQL field, resolved by the domain function that serves the route: per
 * function one nested stack with its Lambda data source (a role that may invoke that function
 * only) and one APPSYNC_JS resolver per field, all running the same code (route.js). Nested
 * stacks keep the ~105 resolvers out of the stateless stack's resource budget, as the REST routes
 * are kept out of the API stack's (test/infra/resource-budget.test.ts).
 */
export class GraphqlFields extends Construct {
  /** Data source per function, for tests and wiring. */
  readonly dataSources = new Map<ApiFunctionId, appsync.LambdaDataSource>();

  constructor(scope: Construct, id: string, props: GraphqlFieldsProps) {
    super(scope, id);
    // Inline: each nested template carries the few lines itself, with no asset parameters to thread.
    const code = appsync.Code.fromInline(readFileSync(ROUTE_RESOLVER_FILE, 'utf8'));
    const byFunction = new Map<ApiFunctionId, RouteDef[]>();
    for (const route of (props.routes ?? ROUTES).filter((r) => r.auth)) {
      const fnId = apiFunctionOf(route.fn);
      const list = byFunction.get(fnId) ?? [];
      list.push(route);
      byFunction.set(fnId, list);
    }
    for (const [fnId, routes] of byFunction) {
      const fn = props.functions[fnId];
      if (!fn) throw new Error(`Route table names function "${fnId}" but no such API function was given`);
      const name = fnId[0]!.toUpperCase() + fnId.slice(1);
      const stack = new NestedStack(this, `Fields${name}`, { description: `CareStack GraphQL: the fields the ${fnId} function serves` });
      const role = new iam.Role(stack, 'InvokeRole', {
        assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
        description: `AppSync -> the ${fnId} function (its GraphQL fields)`,
      });
      // Exactly this function, no version wildcard: what the data source's own grant would add.
      new iam.ManagedPolicy(stack, 'InvokePolicy', {
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
      });
      const source = new appsync.LambdaDataSource(stack, 'Source', {
        api: props.api,
        lambdaFunction: fn,
        name: `${name}Function`,
        description: `The ${fnId} function: the same pipeline as its REST routes`,
        serviceRole: role.withoutPolicyUpdates(),
      });
      this.dataSources.set(fnId, source);
      for (const route of routes) {
        // In this nested stack (the data source's createResolver would put it beside the API).
        new appsync.Resolver(stack, `${route.operation[0]!.toUpperCase()}${route.operation.slice(1)}`, {
          api: props.api,
          dataSource: source,
          typeName: route.method === 'GET' ? 'Query' : 'Mutation',
          fieldName: route.operation,
          code,
          runtime: appsync.FunctionRuntime.JS_1_0_0,
        });
      }
    }
  }
}
