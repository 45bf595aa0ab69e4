import { Duration } from 'aws-cdk-lib';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Stage } from '../config.js';
import type { OperatorAlarms } from './operator-alarms.js';

/** The REST API's name (API Gateway's `ApiName` metric dimension): set on the API, read by the dashboard. */
export const restApiName = (stage: Stage): string => `carestack-${stage}-api`;

/** Delivery's EMF metrics (lambdas/delivery/handler.ts): namespace, service dimension, channels. */
const DELIVERY_METRICS = { namespace: 'CareStack', service: 'delivery', channels: ['push', 'sms', 'email'] } as const;
/** The audit function's EMF metrics (lambdas/audit/handler.ts). */
export const AUDIT_METRICS = { namespace: 'CareStack', service: 'audit', records: 'AuditRecords', objects: 'AuditObjects' } as const;

export interface OperationsDashboardProps {
  readonly stage: Stage;
  /** Every function and failure queue registered so far (CareFunction and failureQueue register themselves). */
  readonly alarms: OperatorAlarms;
  readonly graphqlApi: appsync.IGraphqlApi;
  readonly streams: { readonly audit: lambda.IFunction; readonly events: lambda.IFunction };
}

/**
 * One CloudWatch dashboard per stage (`carestack-<stage>`): requests and errors per API and per
 * function, p99 latency, audit lag and records per audit object, failure-queue depths, deliveries
 * per channel. Built from the operator registry, so a new domain's function and queue appear on
 * it without a line. The REST API is named by its metric dimensions (restApiName, the stage), not
 * by reference: the API stack is deployed after this one.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const rest = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap: { ApiName: restApiName(props.stage), Stage: props.stage }, period, statistic, label });
    const appsyncMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/AppSync', metricName, dimensionsMap: { GraphQLAPIId: props.graphqlApi.apiId }, period, statistic, label });
    const fns = props.alarms.functions;
    const perFunction = (metric: (fn: lambda.IFunction, label: string) => cloudwatch.IMetric) => fns.map((f) => metric(f.function, f.id));
    const wide = { width: 12, height: 6 } as const;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `carestack-${props.stage}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# CareStack ${props.stage}\nAlarms and what to do: docs/operations.md (runbook). Every alarm notifies the operator topic.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'REST API: requests and errors',
        left: [rest('Count', 'Sum', 'requests'), rest('4XXError', 'Sum', '4xx'), rest('5XXError', 'Sum', '5xx')],
        ...wide,
      }),
      new cloudwatch.GraphWidget({
        title: 'GraphQL (AppSync): requests and errors',
        left: [appsyncMetric('Latency', 'SampleCount', 'requests'), appsyncMetric('4XXError', 'Sum', '4xx'), appsyncMetric('5XXError', 'Sum', '5xx')],
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'p99 latency (ms)',
        left: [rest('Latency', 'p99', 'REST p99'), rest('IntegrationLatency', 'p99', 'REST integration p99'), appsyncMetric('Latency', 'p99', 'GraphQL p99')],
        ...wide,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        left: perFunction((fn, label) => fn.metricDuration({ period, statistic: 'p99', label })),
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function invocations',
        left: perFunction((fn, label) => fn.metricInvocations({ period, statistic: 'Sum', label })),
        ...wide,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors and throttles',
        left: perFunction((fn, label) => fn.metricErrors({ period, statistic: 'Sum', label: `${label} errors` })),
        right: perFunction((fn, label) => fn.metricThrottles({ period, statistic: 'Sum', label: `${label} throttles` })),
        ...wide,
      }),
    );
    const audit = (metricName: string) =>
      new cloudwatch.Metric({ namespace: AUDIT_METRICS.namespace, metricName, dimensionsMap: { service: AUDIT_METRICS.service }, period, statistic: 'Sum' });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Stream lag: iterator age (ms), audit alarm at 5 min',
        left: [
          props.streams.audit.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum', label: 'audit' }),
          props.streams.events.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum', label: 'events' }),
        ],
        ...wide,
      }),
      new cloudwatch.GraphWidget({
        title: 'Audit: records per object',
        left: [
          new cloudwatch.MathExpression({
            expression: 'records / objects',
            usingMetrics: { records: audit(AUDIT_METRICS.records), objects: audit(AUDIT_METRICS.objects) },
            period,
            label: 'records per object',
          }),
        ],
        right: [audit(AUDIT_METRICS.records)],
        ...wide,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Failure queues: messages (alarm at 1)',
        left: props.alarms.queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: q.id })),
        ...wide,
      }),
      new cloudwatch.GraphWidget({
        title: 'Deliveries per channel (sent / failed)',
        left: DELIVERY_METRICS.channels.flatMap((channel) =>
          (['Sent', 'Failed'] as const).map(
            (metricName) =>
              new cloudwatch.Metric({
                namespace: DELIVERY_METRICS.namespace,
                metricName,
                dimensionsMap: { service: DELIVERY_METRICS.service, channel },
                period,
                statistic: 'Sum',
                label: `${channel} ${metricName.toLowerCase()}`,
              }),
          ),
        ),
        ...wide,
      }),
    );
  }
}
