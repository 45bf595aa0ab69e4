import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { MEDICATION_ROUTES } from '../../lambdas/medications/routes.js';
import { buildApp } from './support/build-app.js';
import type { CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template: Template = built.statelessTemplate;
/** The REST API is its own stack (imports of the functions resolved): its methods and permissions. */
const api = built.apiTemplate;
type Resource = CfnResource;
const resources = { ...template.toJSON().Resources, ...api.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const json = (v: unknown) => JSON.stringify(v);

const fnOf = (id: keyof typeof FUNCTIONS) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS[id].description)!;
const [medsId, meds] = fnOf('medications');
const [workId, work] = fnOf('scheduledWork');
const policiesOf = (fnResource: Resource) => {
  const roleId = fnResource.Properties.Role['Fn::GetAtt'][0] as string;
  return ofType('AWS::IAM::Policy').filter(([, p]) => json(p.Properties.Roles).includes(`"${roleId}"`)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
};
const [groupId, group] = ofType('AWS::Scheduler::ScheduleGroup')[0]!;
const [schedulerRoleId, schedulerRole] = ofType('AWS::IAM::Role').find(([, r]) => json(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
const dlqId = work.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
const sorted = (a: unknown) => [a].flat().map(String).sort();

describe('medications service construct', () => {
  it('has one schedule group with a stage-scoped name', () => {
    expect(ofType('AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    expect(group.Properties.Name).toBe('carestack-dev-schedules');
    expect(groupId).toBeTruthy();
  });

  it('has a scheduler role only EventBridge Scheduler of this account may assume', () => {
    expect(schedulerRole.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const managed = ofType('AWS::IAM::ManagedPolicy').find(([, p]) => json(p.Properties.Roles).includes(`"${schedulerRoleId}"`))!;
    const statements = managed[1].Properties.PolicyDocument.Statement as PolicyStatement[];
    expect(statements.map((s) => sorted(s.Action))).toEqual([['lambda:InvokeFunction'], ['sqs:SendMessage'], ['kms:Decrypt', 'kms:GenerateDataKey']]);
    // It may invoke the scheduled-work function only, and send to the schedule DLQ only.
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [workId, 'Arn'] });
    expect(statements[1]!.Resource).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    // No inline policies on it.
    expect(ofType('AWS::IAM::Policy').filter(([, p]) => json(p.Properties.Roles).includes(`"${schedulerRoleId}"`))).toEqual([]);
  });

  it('has an encrypted, TLS-only dead-letter queue that is also the scheduled-work function DLQ', () => {
    const dlq = resources[dlqId]!;
    expect(dlq.Type).toBe('AWS::SQS::Queue');
    expect(dlqId).toMatch(/^MedicationsScheduleDeadLetters/);
    expect(dlq.Properties.KmsMasterKeyId).toBeDefined();
    const queuePolicy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => json(p.Properties.Queues).includes(`"${dlqId}"`))!;
    expect(json(queuePolicy[1].Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: workId },
      MaximumRetryAttempts: 2,
    });
  });

  it('lets both functions manage schedules in the group only, and pass only the scheduler role', () => {
    for (const fn of [meds, work]) {
      const statements = policiesOf(fn);
      const scheduling = statements.find((s) => json(s.Action).includes('scheduler:CreateSchedule'))!;
      expect(sorted(scheduling.Action)).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule']);
      expect(json(scheduling.Resource)).toContain(':schedule/carestack-dev-schedules/*');
      const passRole = statements.find((s) => s.Action === 'iam:PassRole')!;
      expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [schedulerRoleId, 'Arn'] });
      expect(statements.some((s) => json(s.Action).includes('dynamodb:Scan'))).toBe(false);
      expect(fn.DependsOn ?? []).toContain(groupId);
    }
  });

  it('gives the functions the group, target, role and DLQ by environment', () => {
    expect(meds.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      SCHEDULE_GROUP_NAME: 'carestack-dev-schedules',
      SCHEDULED_WORK_ARN: { 'Fn::GetAtt': [workId, 'Arn'] },
      SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': [dlqId, 'Arn'] },
    });
    // The scheduled-work function targets itself from its invocation context: no self-reference.
    expect(work.Properties.Environment.Variables).toMatchObject({ SCHEDULE_GROUP_NAME: 'carestack-dev-schedules', SCHEDULER_ROLE_ARN: expect.anything() });
    expect(work.Properties.Environment.Variables.SCHEDULED_WORK_ARN).toBeUndefined();
  });

  it('serves every medication route through API Gateway with the Cognito authorizer', () => {
    expect(MEDICATION_ROUTES).toHaveLength(8);
    const integrations = ofType('AWS::ApiGateway::Method').filter(([, m]) => json(m.Properties.Integration ?? {}).includes(`"${medsId}"`));
    expect(integrations).toHaveLength(MEDICATION_ROUTES.length);
    for (const [, m] of integrations) expect(m.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    api.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'adherence' });
    api.hasResourceProperties('AWS::Lambda::Permission', Match.objectLike({ Principal: 'apigateway.amazonaws.com', FunctionName: { 'Fn::GetAtt': [medsId, 'Arn'] } }));
  });
});
