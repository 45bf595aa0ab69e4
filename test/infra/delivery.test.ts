import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { addCareStack } from '../../lib/carestack-app.js';
import { buildApp, cdkContext, resolveImports } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';

const APNS = 'arn:aws:sns:us-east-1:123456789012:app/APNS/carestack-ios';
const FCM = 'arn:aws:sns:us-east-1:123456789012:app/GCM/carestack-android';
const OPERATOR = { apnsPlatformApplicationArn: APNS, fcmPlatformApplicationArn: FCM, emailFrom: 'CareStack <no-reply@carestack.example>', emailIdentity: 'carestack.example', appUrl: 'https://app.carestack.example' };

type Resource = CfnResource;
function inspect(template: Template) {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
  const [fnId, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.delivery.description)!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
  const allowing = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
  return { resources, ofType, fnId, fn, statements, allowing };
}
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

// Synthesised once per configuration: as shipped (no operator context) and with push and email set up.
const plain = inspect(buildApp('dev').statelessTemplate);
const fullApp = buildApp('prod', { delivery: OPERATOR });
const full = inspect(fullApp.statelessTemplate);

describe('delivery service construct', () => {
  it('without operator context: no push, no email, SMS on; synth still works', () => {
    const env = plain.fn.Properties.Environment.Variables;
    expect(env).toMatchObject({ SMS_ENABLED: 'true', APP_URL: 'http://localhost:5173', SCHEDULE_GROUP_NAME: 'carestack-dev-schedules' });
    expect(env).not.toHaveProperty('APNS_PLATFORM_APPLICATION_ARN');
    expect(env).not.toHaveProperty('EMAIL_FROM');
    expect(plain.allowing('sns:CreatePlatformEndpoint')).toEqual([]);
    expect(plain.allowing('ses:SendEmail')).toEqual([]);
  });

  it('takes the platform applications and the SES sender from context', () => {
    expect(full.fn.Properties.Environment.Variables).toMatchObject({
      APNS_PLATFORM_APPLICATION_ARN: APNS, FCM_PLATFORM_APPLICATION_ARN: FCM,
      EMAIL_FROM: OPERATOR.emailFrom, APP_URL: OPERATOR.appUrl,
    });
  });

  it('least privilege: endpoints of its own platform apps, its SES identity and From address, dlv-* schedules only', () => {
    const create = full.allowing('sns:CreatePlatformEndpoint')[0]!;
    expect([create.Resource].flat().sort()).toEqual([APNS, FCM].sort());
    const endpointPublish = full.allowing('sns:DeleteEndpoint')[0]!;
    expect([endpointPublish.Action].flat()).toEqual(expect.arrayContaining(['sns:Publish', 'sns:DeleteEndpoint']));
    expect([endpointPublish.Resource].flat().sort()).toEqual([`${APNS.replace(':app/', ':endpoint/')}/*`, `${FCM.replace(':app/', ':endpoint/')}/*`].sort());
    const ses = full.allowing('ses:SendEmail')[0]!;
    expect(JSON.stringify(ses.Resource)).toContain(':identity/carestack.example');
    expect(ses.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'no-reply@carestack.example' } });
    const schedules = full.allowing('scheduler:CreateSchedule')[0]!;
    expect([schedules.Action].flat().sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule']);
    expect(JSON.stringify(schedules.Resource)).toContain(':schedule/carestack-prod-schedules/dlv-*');
    expect(full.allowing('scheduler:DeleteSchedule')).toEqual([]);
    const pass = full.allowing('iam:PassRole')[0]!;
    expect(JSON.stringify(pass.Resource)).toContain('SchedulerRole');
    const text = JSON.stringify(full.statements);
    for (const forbidden of ['dynamodb:Scan', 'sns:*', 'ses:*', 'scheduler:*', 'sns:CreateTopic', 'sns:Subscribe']) expect(text).not.toContain(`"${forbidden}"`);
    // The only "*" besides X-Ray: SMS publish, which names a phone number, not a resource.
    const star = full.statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap((s) => [s.Action].flat()).sort();
    expect(star).toEqual(['sns:Publish', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('is fed by a bus rule on NotificationCreated and EmailRequested (invitation emails) only, with retries and a dead-letter queue', () => {
    const rules = full.ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Targets.some((t: { Arn: unknown }) => refersTo(t.Arn, full.fnId)));
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule.EventPattern).toEqual({ source: ['carestack'], 'detail-type': ['NotificationCreated', 'EmailRequested'] });
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
    const dlq = full.fn.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
    expect(rule.Targets[0].DeadLetterConfig.Arn['Fn::GetAtt'][0]).toBe(dlq);
    expect(full.resources[dlq]!.Properties.KmsMasterKeyId).toBeDefined();
    const invokeConfig = full.ofType('AWS::Lambda::EventInvokeConfig').find(([, c]) => refersTo(c.Properties.FunctionName, full.fnId));
    expect(invokeConfig?.[1].Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  });

  it('alarms on the dead-letter queue, to the operator topic (the stateful stack\'s, imported)', () => {
    const dlq = full.fn.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
    const alarms = full.ofType('AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${dlq}"`));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [expect.anything()],
    });
    // The one operator topic lives in the stateful stack (lib/constructs/operator-alarms.ts).
    const action = resolveImports(Template.fromJSON({ Resources: { A: { Type: 'X', Properties: { Action: alarms[0]![1].Properties.AlarmActions[0] } } } }), fullApp.statefulTemplate)
      .toJSON().Resources.A.Properties.Action as { Ref: string };
    expect(fullApp.statefulTemplate.toJSON().Resources[action.Ref].Type).toBe('AWS::SNS::Topic');
  });

  it('lets the scheduler role invoke it (quiet-hours releases) and nothing more', () => {
    const policies = full.ofType('AWS::IAM::ManagedPolicy').filter(([, p]) => refersTo(p.Properties.PolicyDocument, full.fnId));
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [full.fnId, 'Arn'] } },
    ]);
    expect(JSON.stringify(policies[0]![1].Properties.Roles)).toContain('SchedulerRole');
  });

  it('refuses malformed operator context with the bad value in the message', () => {
    expect(() => buildApp('dev', { delivery: { apnsPlatformApplicationArn: 'arn:aws:sns:us-east-1:123456789012:app/GCM/x' } })).toThrow(/apnsPlatformApplicationArn/);
    expect(() => buildApp('dev', { delivery: { emailFrom: 'no-reply@other.example', emailIdentity: 'carestack.example' } })).toThrow(/emailFrom/);
    expect(() => buildApp('dev', { delivery: { emailFrom: 'no-reply@carestack.example' } })).toThrow(/emailIdentity/);
  });

  it('cdk-nag: no unacknowledged finding with push, SMS and email all on', () => {
    const app = new App({ context: cdkContext({ stage: 'prod', 'aws:cdk:bundling-stacks': [], delivery: OPERATOR }) });
    addCareStack(app);
    for (const pack of [new AwsSolutionsChecks(), new HIPAASecurityChecks()]) {
      const report = pack.validateScope(app);
      expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
    }
  });
});
