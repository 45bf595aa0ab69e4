/**
 * Issue 26: every failure path has an alarm with an action, all to one operator topic; one
 * dashboard per stage. Derived from the synthesised prod templates, so a new domain's function or
 * queue without an alarm fails here.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { ALARM_THRESHOLDS } from '../../lib/alarm-thresholds.js';
import { OperatorAlarms } from '../../lib/constructs/operator-alarms.js';
import { alarmCoverage } from './support/alarm-coverage.js';
import { buildApp, foldNested, resolveImports } from './support/build-app.js';
import type { Json } from '../support/json.js';

type Resource = { Type: string; Properties: Record<string, Json> };

const built = buildApp('prod', { alarmEmail: 'oncall@carestack.example' });
const stateful = built.statefulTemplate;
const templates = {
  stateful,
  stateless: resolveImports(built.statelessTemplate, stateful),
  api: resolveImports(resolveImports(foldNested(built.api), built.statelessTemplate), stateful),
};
const topics = Object.entries(stateful.findResources('AWS::SNS::Topic'));
const topicRef = { Ref: topics[0]![0] };
const resourcesOf = (t: Template) => t.toJSON().Resources as Record<string, Resource>;
const alarmsIn = (t: Template) => Object.entries(resourcesOf(t)).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const allAlarms = Object.values(templates).flatMap(alarmsIn);

describe('operator alarms (prod)', () => {
  const coverage = alarmCoverage(templates, topicRef);

  it('has one operator topic in the whole app, with the email subscription from context', () => {
    expect(topics).toHaveLength(1);
    for (const t of [templates.stateless, templates.api]) expect(Object.keys(t.findResources('AWS::SNS::Topic'))).toEqual([]);
    stateful.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@carestack.example', TopicArn: topicRef });
  });

  it('alarms on every function and every dead-letter queue, each alarm to the operator topic', () => {
    console.log(`[alarms] ${coverage.total} alarms: ${JSON.stringify(coverage.kinds)}`);
    expect(coverage.uncovered).toEqual([]);
    // Every CareStack function is there (the check above covers what is synthesised).
    const functions = Object.values(templates).flatMap((t) => Object.values(resourcesOf(t)).filter((r) => r.Type === 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length);
    expect(coverage.kinds.Errors).toBe(functions.length);
    expect(coverage.kinds.Throttles).toBe(functions.length);
    const queues = Object.values(templates).flatMap((t) => Object.values(resourcesOf(t)).filter((r) => r.Type === 'AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThanOrEqual(6);
    expect(coverage.kinds.ApproximateNumberOfMessagesVisible).toBe(queues.length);
  });

  it('alarms on every stream consumer\'s iterator age: audit at 5 minutes, events at 1 minute, message retention at 15', () => {
    const mappings = Object.values(resourcesOf(templates.stateless)).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(3);
    const ages = alarmsIn(templates.stateless).filter(([, a]) => a.Properties.MetricName === 'IteratorAge');
    const byFunction = Object.fromEntries(ages.map(([, a]) => [a.Properties.Dimensions[0].Value.Ref, a.Properties]));
    for (const m of mappings) expect(byFunction[m.Properties.FunctionName.Ref]).toBeDefined();
    expect(ages.map(([, a]) => a.Properties.Threshold).sort((a, b) => a - b)).toEqual([ALARM_THRESHOLDS.eventsIteratorAgeMs, ALARM_THRESHOLDS.auditIteratorAgeMs, ALARM_THRESHOLDS.retentionIteratorAgeMs]);
    expect(ALARM_THRESHOLDS.auditIteratorAgeMs).toBe(300_000);
    for (const [, a] of ages) expect(a.Properties).toMatchObject({ Statistic: 'Maximum', Period: 60, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('alarms on REST and AppSync 5xx, DynamoDB throttles and Scheduler target errors', () => {
    const rest = alarmsIn(templates.api).filter(([, a]) => a.Properties.Namespace === 'AWS/ApiGateway' && a.Properties.MetricName === '5XXError');
    expect(rest).toHaveLength(1);
    expect(rest[0]![1].Properties).toMatchObject({ Statistic: 'Average', Threshold: ALARM_THRESHOLDS.restServerErrorRate, EvaluationPeriods: 2 });
    expect(rest[0]![1].Properties.Dimensions).toEqual(expect.arrayContaining([{ Name: 'ApiName', Value: 'carestack-prod-api' }, { Name: 'Stage', Value: expect.anything() }]));

    const graphql = alarmsIn(templates.stateless).filter(([, a]) => a.Properties.Namespace === 'AWS/AppSync' && a.Properties.MetricName === '5XXError');
    expect(graphql).toHaveLength(1);
    const [graphqlApiId] = Object.keys(templates.stateless.findResources('AWS::AppSync::GraphQLApi'));
    expect(graphql[0]![1].Properties.Dimensions).toEqual([{ Name: 'GraphQLAPIId', Value: { 'Fn::GetAtt': [graphqlApiId, 'ApiId'] } }]);

    const metricNames = (a: Resource) => (a.Properties.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }>).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    const [tableId] = Object.keys(stateful.findResources('AWS::DynamoDB::Table'));
    const dynamo = alarmsIn(stateful).filter(([, a]) => a.Properties.Metrics?.some((m: Json) => m.MetricStat?.Metric.Namespace === 'AWS/DynamoDB'));
    expect(dynamo).toHaveLength(1);
    const dynamoMetrics = metricNames(dynamo[0]![1]);
    expect(new Set(dynamoMetrics.map((m) => m.MetricName))).toEqual(new Set(['ReadThrottleEvents', 'WriteThrottleEvents']));
    // The table and both indexes, reads and writes.
    expect(dynamoMetrics).toHaveLength(6);
    for (const m of dynamoMetrics) expect(m.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: tableId } });

    const scheduler = alarmsIn(templates.stateless).filter(([, a]) => a.Properties.Metrics?.some((m: Json) => m.MetricStat?.Metric.Namespace === 'AWS/Scheduler'));
    expect(scheduler).toHaveLength(1);
    expect(new Set(metricNames(scheduler[0]![1]).map((m) => m.MetricName))).toEqual(new Set(['TargetErrorCount', 'InvocationDroppedCount', 'InvocationsFailedToBeSentToDeadLetterCount']));
    for (const m of metricNames(scheduler[0]![1])) expect(m.Dimensions).toEqual([{ Name: 'ScheduleGroup', Value: 'carestack-prod-schedules' }]);
  });

  it('notifies when an alarm fires, never only when it clears', () => {
    for (const [, a] of allAlarms) {
      expect(a.Properties.AlarmActions).toEqual([topicRef]);
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('names the delivery dead-letter queue\'s alarm as before, now to the operator topic', () => {
    const deliveryFn = Object.entries(resourcesOf(templates.stateless)).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === FUNCTIONS.delivery.description)!;
    const dlq = deliveryFn[1].Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
    const alarms = alarmsIn(templates.stateless).filter(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${dlq}"`));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![0]).toMatch(/^DeliveryFailuresAlarm/);
  });
});

describe('the coverage check itself', () => {
  it('reports a function and a queue built outside CareFunction and failureQueue', () => {
    const bare = (register: boolean) => {
      const stack = new Stack(new App(), 'Bare');
      const alarms = new OperatorAlarms(stack, 'Ops');
      const fn = new lambda.Function(stack, 'Forgotten', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
      const queue = new sqs.Queue(stack, 'ForgottenQueue');
      if (register) {
        alarms.watchFunction(stack, 'late', fn);
        alarms.watchQueue(stack, 'Late', queue);
      }
      const template = Template.fromStack(stack);
      const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
      return alarmCoverage({ bare: template }, { Ref: topicId });
    };
    expect(bare(false).uncovered).toEqual([
      expect.stringMatching(/^bare\/Forgotten[0-9A-F]{8} \(function\): no Errors alarm$/),
      expect.stringMatching(/^bare\/Forgotten[0-9A-F]{8} \(function\): no Throttles alarm$/),
      expect.stringMatching(/^bare\/ForgottenQueue[0-9A-F]{8} \(queue\): no messages-visible alarm$/),
    ]);
    // Registered through the operator construct, the same function and queue are covered.
    expect(bare(true).uncovered).toEqual([]);
  });

  it('refuses a second OperatorAlarms in one app, and an alarm without one', () => {
    const app = new App();
    const stack = new Stack(app, 'Two');
    new OperatorAlarms(stack, 'A');
    expect(() => new OperatorAlarms(stack, 'B')).toThrow(/already has OperatorAlarms/);
    expect(() => OperatorAlarms.of(new Stack(new App(), 'None'))).toThrow(/No OperatorAlarms/);
  });
});

describe('dashboard', () => {
  it('one per stage, with every function, every failure queue, audit lag and deliveries per channel', () => {
    for (const stage of ['dev', 'prod'] as const) {
      const b = stage === 'prod' ? built : buildApp('dev');
      const dashboards = [b.statefulTemplate, b.statelessTemplate, b.apiTemplate].flatMap((t) => Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as Resource[]);
      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]!.Properties.DashboardName).toBe(`carestack-${stage}`);
    }
    const [, dashboard] = Object.entries(resourcesOf(templates.stateless)).find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const [id, r] of Object.entries(resourcesOf(templates.stateless))) {
      if (r.Type === 'AWS::Lambda::Function') expect(body, `function ${id} on the dashboard`).toContain(`{"Ref":"${id}"}`);
      if (r.Type === 'AWS::SQS::Queue') expect(body, `queue ${id} on the dashboard`).toContain(`{"Fn::GetAtt":["${id}","QueueName"]}`);
    }
    for (const text of ['IteratorAge', 'AuditRecords', 'AuditObjects', 'carestack-prod-api', '\\"p99\\"', '5XXError', '\\"channel\\",\\"sms\\"', '\\"channel\\",\\"push\\"', '\\"channel\\",\\"email\\"']) {
      expect(body).toContain(text);
    }
  });
});
