import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { NOTIFICATIONS_ROUTES } from '../../lambdas/notifications/routes.js';
import { NOTIFICATION_TYPES, NOTIFYING_EVENT_TYPES } from '../../lambdas/registry.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template = built.statelessTemplate;
/** The REST API is its own stack (imports of the functions resolved): its methods and permissions. */
const api = built.apiTemplate;
type Resource = CfnResource;
const resources = { ...template.toJSON().Resources, ...api.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);

const [fnId, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.notifications.description)!;
/** The fan-out: a function of its own, the bus rule's target (it reads every domain's rules). */
const [fanOutId, fanOut] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.notificationsFanOut.description)!;
const fanOutRoleId = fanOut.Properties.Role['Fn::GetAtt'][0] as string;
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

describe('notifications service construct', () => {
  it('is the inbox function with the table name, CORS origins and the notification types', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      CORS_ALLOW_ORIGINS: 'http://localhost:5173',
      POWERTOOLS_SERVICE_NAME: 'carestack-notifications',
      NOTIFICATION_TYPES: [...NOTIFICATION_TYPES].join(','),
    });
    // The inbox is invoked by API Gateway only: no asynchronous invocation settings of its own.
    expect(fn.Properties.DeadLetterConfig).toBeUndefined();
  });

  it('serves its routes through API Gateway with the Cognito authorizer', () => {
    const methods = ofType('AWS::ApiGateway::Method').map(([, r]) => r.Properties);
    for (const route of NOTIFICATIONS_ROUTES) {
      const m = methods.find((p) => p.OperationName === `${route.method} ${route.path}`);
      expect(m, `${route.method} ${route.path}`).toBeDefined();
      expect(m!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(refersTo(m!.Integration.Uri, fnId)).toBe(true);
    }
  });

  it('a bus rule sends exactly the notifying event types to the fan-out function, with retries and a dead-letter queue', () => {
    expect(ofType('AWS::Events::Rule').some(([, r]) => r.Properties.Targets.some((t: { Arn: unknown }) => refersTo(t.Arn, fnId)))).toBe(false);
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Targets.some((t: { Arn: unknown }) => refersTo(t.Arn, fanOutId)));
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule.EventPattern).toEqual({ source: ['carestack'], 'detail-type': [...NOTIFYING_EVENT_TYPES] });
    expect(rule.EventBusName).toBeDefined();
    const target = rule.Targets[0];
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
    expect(target.DeadLetterConfig.Arn).toBeDefined();
    // EventBridge may invoke the function.
    expect(
      ofType('AWS::Lambda::Permission').some(([, p]) => refersTo(p.Properties.FunctionName, fanOutId) && p.Properties.Principal === 'events.amazonaws.com'),
    ).toBe(true);
  });

  it('failed asynchronous invocations of the fan-out go to the same encrypted queue', () => {
    const dlq = fanOut.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
    const rule = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.Targets.some((t: { Arn: unknown }) => refersTo(t.Arn, fanOutId)))![1];
    expect(rule.Properties.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0]).toBe(dlq);
    expect(resources[dlq]!.Properties.KmsMasterKeyId).toBeDefined();
    const invokeConfig = ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => refersTo(c.Properties.FunctionName, fanOutId));
    expect(invokeConfig?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  });

  it('the fan-out may read and write the table and its two named indexes, never Scan, and send to its queue', () => {
    const policies = ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === fanOutRoleId));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(JSON.stringify(statements)).not.toContain('dynamodb:Scan');
    const indexes = JSON.stringify(dynamo.Resource);
    expect(indexes).toContain('/index/GSI1');
    expect(indexes).toContain('/index/GSI2');
    expect(indexes).not.toContain('index/*');
    expect(statements.some((s) => [s.Action].flat().includes('sqs:SendMessage'))).toBe(true);
  });
});
