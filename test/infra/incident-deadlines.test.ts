import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { REACTION_EVENT_TYPES } from '../../lambdas/jobs.js';
import { buildApp } from './support/build-app.js';
import type { CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template = built.statelessTemplate;
/** The REST API is its own stack (imports of the functions resolved): its methods and permissions. */
const api = built.apiTemplate;
type Resource = CfnResource;
const resources = { ...template.toJSON().Resources, ...api.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const json = (v: unknown) => JSON.stringify(v);
const refersTo = (value: unknown, id: string) => json(value).includes(`"${id}"`);

const fnOf = (id: keyof typeof FUNCTIONS) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS[id].description)!;
const [workId, work] = fnOf('scheduledWork');
const [, assistedLiving] = fnOf('assistedLiving');
const statementsOf = (fn: Resource) => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return ofType('AWS::IAM::Policy').filter(([, p]) => refersTo(p.Properties.Roles, roleId)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
};
const scheduleDlqId = work.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
const rules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Targets.some((t: { Arn: unknown }) => refersTo(t.Arn, workId)));

describe('incident deadlines (bus rule -> scheduled-work function)', () => {
  it('one rule on the bus sends exactly the events domains react to (the incident events) to the scheduled-work function', () => {
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(REACTION_EVENT_TYPES).toEqual(['IncidentReported', 'IncidentUpdated']);
    expect(rule.EventPattern).toEqual({ source: ['carestack'], 'detail-type': ['IncidentReported', 'IncidentUpdated'] });
    expect(rule.EventBusName).toBeDefined();
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 });
  });

  it('undeliverable events go to the schedule dead-letter queue, which EventBridge may write for this rule only', () => {
    const [ruleId, rule] = rules[0]!;
    expect(rule.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [scheduleDlqId, 'Arn'] });
    const policy = ofType('AWS::SQS::QueuePolicy').find(([, p]) => refersTo(p.Properties.Queues, scheduleDlqId))![1];
    const fromEvents = (policy.Properties.PolicyDocument.Statement as PolicyStatement[]).find((s) => json(s.Principal).includes('events.amazonaws.com'))!;
    expect(fromEvents.Action).toBe('sqs:SendMessage');
    expect(json(fromEvents.Condition)).toContain(`"${ruleId}"`);
  });

  it('EventBridge may invoke the scheduled-work function from this rule', () => {
    const [ruleId] = rules[0]!;
    const permission = ofType('AWS::Lambda::Permission').find(
      ([, p]) => refersTo(p.Properties.FunctionName, workId) && p.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permission?.[1].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] } });
  });

  it('only the scheduled-work function manages schedules: the assisted-living function has no scheduler or PassRole rights', () => {
    const work = statementsOf(fnOf('scheduledWork')[1]);
    expect(work.some((s) => json(s.Action).includes('scheduler:CreateSchedule') && json(s.Resource).includes(':schedule/carestack-dev-schedules/*'))).toBe(true);
    const al = json(statementsOf(assistedLiving));
    expect(al).not.toContain('scheduler:');
    expect(al).not.toContain('iam:PassRole');
  });
});
