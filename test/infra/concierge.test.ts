import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONCIERGE_ROUTES } from '../../lambdas/concierge/routes.js';
import { FUNCTIONS } from '../../lambdas/functions.js';
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
const sorted = (a: unknown) => [a].flat().map(String).sort();

const fnOf = (id: keyof typeof FUNCTIONS) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS[id].description)!;
const [conciergeId, concierge] = fnOf('concierge');
const [workId] = fnOf('scheduledWork');
const [groupId] = ofType('AWS::Scheduler::ScheduleGroup')[0]!;
const [schedulerRoleId] = ofType('AWS::IAM::Role').find(([, r]) => json(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
const statements = (() => {
  const roleId = concierge.Properties.Role['Fn::GetAtt'][0] as string;
  return ofType('AWS::IAM::Policy').filter(([, p]) => json(p.Properties.Roles).includes(`"${roleId}"`)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
})();

describe('concierge service construct', () => {
  it('is one function with the table, the schedule group, target, role and DLQ in its environment', () => {
    expect(conciergeId).toMatch(/^Concierge/);
    expect(concierge.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      SCHEDULE_GROUP_NAME: 'carestack-dev-schedules',
      SCHEDULED_WORK_ARN: { 'Fn::GetAtt': [workId, 'Arn'] },
      SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      SCHEDULE_DLQ_ARN: expect.anything(),
    });
    expect(concierge.DependsOn ?? []).toContain(groupId);
  });

  it('may read and write the table (no Scan), manage schedules in the group only, and pass only the scheduler role', () => {
    const table = statements.find((s) => json(s.Action).includes('dynamodb:TransactWriteItems') || json(s.Action).includes('dynamodb:PutItem'))!;
    expect(table).toBeDefined();
    expect(statements.some((s) => json(s.Action).includes('dynamodb:Scan'))).toBe(false);
    const scheduling = statements.find((s) => json(s.Action).includes('scheduler:CreateSchedule'))!;
    expect(sorted(scheduling.Action)).toEqual(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule']);
    expect(json(scheduling.Resource)).toContain(':schedule/carestack-dev-schedules/*');
    const passRoles = statements.filter((s) => json(s.Action).includes('iam:PassRole'));
    expect(passRoles).toHaveLength(1);
    expect(passRoles[0]!.Resource).toEqual({ 'Fn::GetAtt': [schedulerRoleId, 'Arn'] });
    // Nothing else: no invoke, no bus, no S3.
    expect(statements.some((s) => /lambda:Invoke|events:PutEvents|s3:/.test(json(s.Action)))).toBe(false);
  });

  it('serves every concierge route through API Gateway with the Cognito authorizer', () => {
    expect(CONCIERGE_ROUTES).toHaveLength(22);
    const methods = ofType('AWS::ApiGateway::Method').filter(([, m]) => json(m.Properties.Integration ?? {}).includes(`"${conciergeId}"`));
    expect(methods).toHaveLength(CONCIERGE_ROUTES.length);
    for (const [, m] of methods) expect(m.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    api.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'slots' });
    api.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'no-show' });
  });
});
