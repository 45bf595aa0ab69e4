/**
 * GraphQL queries and mutations on AppSync (lib/stateless/graphql-fields.ts, realtime-api.ts): one
 * Lambda data source per API domain function, the function that serves the routes over REST, in a
 * nested stack of its own with the resolvers of its fields; every resolver runs the one shared
 * APPSYNC_JS file; the API's limits; introspection off in prod.
 */
import { readFileSync } from 'node:fs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, type ApiFunctionId } from '../../lambdas/functions.js';
import { ROUTES } from '../../lambdas/routes.js';
import { GRAPHQL_LIMITS } from '../../lib/config.js';
import { ROUTE_RESOLVER_FILE } from '../../lib/stateless/graphql-fields.js';
import { fromRoot } from '../../lib/paths.js';
import { buildApp, foldNested, nestedStacksOf } from './support/build-app.js';
import type { Json } from '../support/json.js';

const dev = buildApp('dev');
const prod = buildApp('prod');
/** The stateless stack with its nested field stacks folded in. */
const template = foldNested(dev.stateless);
const nested = nestedStacksOf(dev.stateless);
type Resource = { Type: string; Properties: Record<string, Json> };
const resources = Object.values(template.toJSON().Resources as Record<string, Resource>);
const apiFunctionIds = (Object.keys(FUNCTIONS) as Array<keyof typeof FUNCTIONS>).filter((id) => FUNCTIONS[id].kind === 'api') as ApiFunctionId[];
const fieldRoutes = ROUTES.filter((r) => r.auth);

describe('GraphQL fields on AppSync', () => {
  it('deploys the generated schema (realtime plus every route)', () => {
    const schema = resources.find((r) => r.Type === 'AWS::AppSync::GraphQLSchema')!;
    expect(schema.Properties.Definition).toBe(readFileSync(fromRoot('schemas', 'api.graphql'), 'utf8'));
  });

  it('sets the depth and resolver-count limits, and keeps introspection on outside prod', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      QueryDepthLimit: GRAPHQL_LIMITS.queryDepth,
      ResolverCountLimit: GRAPHQL_LIMITS.resolverCount,
      IntrospectionConfig: 'ENABLED',
    });
    expect(GRAPHQL_LIMITS.queryDepth).toBe(10);
  });

  it('disables introspection in prod', () => {
    prod.statelessTemplate.hasResourceProperties('AWS::AppSync::GraphQLApi', { IntrospectionConfig: 'DISABLED', QueryDepthLimit: 10 });
  });

  it('has one Lambda data source per API function, each the function that serves its REST routes', () => {
    const sources = resources.filter((r) => r.Type === 'AWS::AppSync::DataSource' && r.Properties.Type === 'AWS_LAMBDA');
    expect(sources).toHaveLength(apiFunctionIds.length);
    for (const fnId of apiFunctionIds) {
      const fn = dev.stateless.apiFunctions[fnId];
      const arn = dev.stateless.resolve(fn.functionArn) as unknown;
      expect(sources.filter((s) => JSON.stringify(s.Properties.LambdaConfig.LambdaFunctionArn) === JSON.stringify(arn)), fnId).toHaveLength(1);
    }
  });

  it('lets each data source role invoke its own function only, with no wildcard', () => {
    const functionArns = apiFunctionIds.map((id) => JSON.stringify(dev.stateless.resolve(dev.stateless.apiFunctions[id].functionArn)));
    const granted: string[] = [];
    for (const { nested: stack, template: t, parameters } of nested.filter((n) => n.nested.node.id.startsWith('Fields'))) {
      const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy')) as Resource[];
      expect(policies, stack.node.id).toHaveLength(1);
      const [statement, ...more] = policies[0]!.Properties.PolicyDocument.Statement as Array<{ Action: string; Effect: string; Resource: { Ref: string } }>;
      expect(more).toEqual([]);
      expect(statement).toMatchObject({ Action: 'lambda:InvokeFunction', Effect: 'Allow' });
      granted.push(JSON.stringify(parameters[statement!.Resource.Ref]));
      // The data source uses that role, and the role nothing else.
      const source = Object.values(t.findResources('AWS::AppSync::DataSource')) as Resource[];
      expect(source[0]!.Properties.ServiceRoleArn).toEqual({ 'Fn::GetAtt': [Object.keys(t.findResources('AWS::IAM::Role'))[0], 'Arn'] });
      expect(JSON.stringify(source[0]!.Properties.LambdaConfig.LambdaFunctionArn)).toBe(JSON.stringify(statement!.Resource));
    }
    expect(granted.sort()).toEqual(functionArns.sort());
  });

  it("gives every route's field an APPSYNC_JS resolver running the shared route.js, on its function's data source", () => {
    const code = readFileSync(ROUTE_RESOLVER_FILE, 'utf8');
    const resolvers = resources.filter((r) => r.Type === 'AWS::AppSync::Resolver' && r.Properties.Code === code);
    expect(resolvers).toHaveLength(fieldRoutes.length);
    for (const route of fieldRoutes) {
      template.hasResourceProperties('AWS::AppSync::Resolver', {
        TypeName: route.method === 'GET' ? 'Query' : 'Mutation',
        FieldName: route.operation,
        Code: code,
        Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
        DataSourceName: Match.anyValue(),
      });
    }
  });

  it('puts each function\'s data source and resolvers in a nested stack of their own', () => {
    const fieldStacks = nested.filter((n) => n.nested.node.id.startsWith('Fields'));
    expect(fieldStacks.map((n) => n.nested.node.id).sort()).toEqual(apiFunctionIds.map((id) => `Fields${id[0]!.toUpperCase()}${id.slice(1)}`).sort());
    for (const { nested: stack, template: t } of fieldStacks) {
      const fnId = apiFunctionIds.find((id) => stack.node.id === `Fields${id[0]!.toUpperCase()}${id.slice(1)}`)!;
      t.resourceCountIs('AWS::AppSync::DataSource', 1);
      t.resourceCountIs('AWS::AppSync::Resolver', fieldRoutes.filter((r) => r.fn === fnId).length);
    }
    // The stateless stack itself holds no route resolver.
    const own = Template.fromStack(dev.stateless).toJSON().Resources as Record<string, Resource>;
    expect(Object.values(own).filter((r) => r.Type === 'AWS::AppSync::Resolver').map((r) => r.Properties.FieldName).sort()).toEqual(
      ['health', 'onMyEvent', 'onPatientEvent', 'publish', 'revokePatientAccess'],
    );
  });
});
