import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { RESPITE_ROUTES } from '../../lambdas/respite/routes.js';
import { buildApp } from './support/build-app.js';
import type { CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template: Template = built.statelessTemplate;
/** The REST API is its own stack (imports of the functions resolved): its methods and permissions. */
const api: Template = built.apiTemplate;
type Resource = CfnResource;
const resources = { ...template.toJSON().Resources, ...api.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const json = (v: unknown) => JSON.stringify(v);

const fnOf = (id: keyof typeof FUNCTIONS) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS[id].description)!;
const [fnId, fn] = fnOf('respite');
const [workId, work] = fnOf('scheduledWork');
const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
const statements = ofType('AWS::IAM::Policy')
  .filter(([, p]) => json(p.Properties.Roles).includes(`"${roleId}"`))
  .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
const [groupId] = ofType('AWS::Scheduler::ScheduleGroup')[0]!;
const [schedulerRoleId] = ofType('AWS::IAM::Role').find(([, r]) => json(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
const dlqId = work.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;

describe('respite service construct', () => {
  it('is one function given the table, the schedule group, the scheduled-work target, the scheduler role and the DLQ', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      SCHEDULE_GROUP_NAME: 'carestack-dev-schedules',
      SCHEDULED_WORK_ARN: { 'Fn::GetAtt': [workId, 'Arn'] },
      SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      POWERTOOLS_SERVICE_NAME: 'carestack-respite',
    });
    expect(fn.DependsOn ?? []).toContain(groupId);
  });

  it('manages schedules in the one group and passes only the scheduler role', () => {
    const scheduling = statements.find((s) => json(s.Action).includes('scheduler:CreateSchedule'))!;
    expect([scheduling.Action].flat().sort()).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule']);
    expect(json(scheduling.Resource)).toContain(':schedule/carestack-dev-schedules/*');
    const passRole = statements.filter((s) => json(s.Action).includes('iam:PassRole'));
    expect(passRole).toEqual([expect.objectContaining({ Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] } })]);
  });

  it('reads and writes the table and its two named indexes, never Scan, nothing else', () => {
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']));
    expect(json(dynamo.Resource)).toContain('/index/GSI1');
    expect(json(dynamo.Resource)).toContain('/index/GSI2');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.every((a) => /^(dynamodb|kms|logs|xray|scheduler|iam):/.test(a))).toBe(true);
    expect(actions.filter((a) => a.startsWith('iam:'))).toEqual(['iam:PassRole']);
  });

  it('serves every respite route through API Gateway with the Cognito authorizer', () => {
    expect(RESPITE_ROUTES).toHaveLength(16);
    const integrations = ofType('AWS::ApiGateway::Method').filter(([, m]) => json(m.Properties.Integration ?? {}).includes(`"${fnId}"`));
    expect(integrations).toHaveLength(RESPITE_ROUTES.length);
    for (const [, m] of integrations) expect(m.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    api.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'respite-budget' });
  });
});
