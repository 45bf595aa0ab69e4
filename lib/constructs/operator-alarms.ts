import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as appsync from 'aws-cdk-lib/aws-appsync';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ALARM_THRESHOLDS } from '../alarm-thresholds.js';

export { ALARM_THRESHOLDS };

export interface OperatorAlarmsProps {
  /**
   * An address that gets every alarm by email (context `alarmEmail`). SNS sends it a confirmation
   * mail first; nothing arrives until it is confirmed.
   * @default - no subscription: operators subscribe to the topic (email, chat, paging) after deploying
   */
  readonly email?: string;
}

/** What the operator construct knows of a watched function or queue (for the dashboard). */
export interface WatchedFunction {
  readonly id: string;
  readonly function: lambda.IFunction;
}
export interface WatchedQueue {
  readonly id: string;
  readonly queue: sqs.IQueue;
}

/** The one OperatorAlarms of each app (keyed by the construct tree's root). */
const BY_ROOT = new WeakMap<IConstruct, OperatorAlarms>();

/**
 * The one place where CareStack's alarms go: a single operator SNS topic that every alarm of every
 * stack notifies, and the factory of those alarms (`OperatorAlarms.alarm`), so no alarm can be made
 * without an action. Exactly one per app, created first in the stateful stack: the topic carries
 * the operators' subscriptions (pagers, chat, email), which must survive a rebuild of the compute
 * stacks, and the stateful stack's own functions alarm to it too.
 *
 * Functions (CareFunction) and failure queues (failureQueue) register themselves here when they are
 * built, so a new domain's function or queue gets its alarms without a line of its own;
 * `test/infra/alarms.test.ts` fails on any function or queue of the synthesised templates that has
 * no alarm with this topic as its action.
 */
export class OperatorAlarms extends Construct {
  readonly topic: sns.Topic;
  private readonly action: cloudwatchActions.SnsAction;
  private readonly functionsWatched: WatchedFunction[] = [];
  private readonly queuesWatched: WatchedQueue[] = [];

  /** The app's operator alarms. Throws when the app has none: an alarm without an action is not made. */
  static of(scope: IConstruct): OperatorAlarms {
    const found = BY_ROOT.get(scope.node.root);
    if (!found) {
      throw new Error(
        `No OperatorAlarms in the app of ${scope.node.path}: create one (lib/constructs/operator-alarms.ts) before any CareFunction or failure queue, so their alarms have an action`,
      );
    }
    return found;
  }

  constructor(scope: Construct, id: string, props: OperatorAlarmsProps = {}) {
    super(scope, id);
    if (BY_ROOT.has(this.node.root)) throw new Error(`The app already has OperatorAlarms (${BY_ROOT.get(this.node.root)!.node.path})`);
    BY_ROOT.set(this.node.root, this);

    this.topic = new sns.Topic(this, 'Topic', { displayName: 'CareStack operator alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge(
      ...['AwsSolutions-SNS2', 'HIPAA.Security-SNSEncryptedKMS'].map((ruleId) => ({
        id: ruleId,
        reason:
          "Alarm state changes only (alarm name, resource name, a count): no PHI. CloudWatch cannot publish to a topic under the AWS managed SNS key, and a customer key would need CloudWatch in the data key's policy.",
      })),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.action = new cloudwatchActions.SnsAction(this.topic);
  }

  /** The functions and queues watched so far, in creation order. */
  get functions(): readonly WatchedFunction[] {
    return this.functionsWatched;
  }
  get queues(): readonly WatchedQueue[] {
    return this.queuesWatched;
  }

  /** An alarm in `scope` that notifies the operator topic when it fires (and not when it clears). */
  alarm(scope: Construct, id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, props);
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /**
   * Errors and throttles of one function (CareFunction calls this for every function). Errors are
   * unhandled ones only: a crash, a timeout, running out of memory; a 4xx or a mapped 500 is a
   * response, not a function error.
   */
  watchFunction(scope: Construct, id: string, fn: lambda.IFunction): void {
    const period = Duration.minutes(5);
    this.alarm(scope, 'ErrorsAlarm', {
      alarmDescription: `${id}: function errors (crash, timeout, out of memory) >= ${ALARM_THRESHOLDS.functionErrors} in 5 minutes (docs/operations.md, "Function errors")`,
      metric: fn.metricErrors({ period, statistic: 'Sum' }),
      threshold: ALARM_THRESHOLDS.functionErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm(scope, 'ThrottlesAlarm', {
      alarmDescription: `${id}: function throttled >= ${ALARM_THRESHOLDS.functionThrottles} in 5 minutes (docs/operations.md, "Function throttles")`,
      metric: fn.metricThrottles({ period, statistic: 'Sum' }),
      threshold: ALARM_THRESHOLDS.functionThrottles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.functionsWatched.push({ id, function: fn });
  }

  /** 5xx answers of the REST API's stage, as a share of its requests (API Gateway's 5XXError average). */
  watchRestApi(scope: Construct, api: apigw.RestApi): void {
    this.alarm(scope, 'ServerErrorsAlarm', {
      alarmDescription: `REST API: 5xx responses >= ${ALARM_THRESHOLDS.restServerErrorRate * 100} % of requests in 5 minutes, twice in a row (docs/operations.md, "API 5xx")`,
      // The stage's metric (ApiName and Stage): a dev and a prod API in one account never mix.
      metric: api.deploymentStage.metricServerError({ period: Duration.minutes(5), statistic: 'Average' }),
      threshold: ALARM_THRESHOLDS.restServerErrorRate,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** 5xx answers of the AppSync API (GraphQL and realtime). */
  watchGraphqlApi(scope: Construct, api: appsync.IGraphqlApi): void {
    this.alarm(scope, 'ServerErrorsAlarm', {
      alarmDescription: `AppSync API: 5xx responses >= ${ALARM_THRESHOLDS.graphqlServerErrors} in 5 minutes (docs/operations.md, "API 5xx")`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/AppSync',
        metricName: '5XXError',
        dimensionsMap: { GraphQLAPIId: api.apiId },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: ALARM_THRESHOLDS.graphqlServerErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * EventBridge Scheduler of one schedule group: target errors (each failed attempt), invocations
   * dropped after the retry policy, and failures to reach the schedules' dead-letter queue.
   */
  watchScheduleGroup(scope: Construct, groupName: string): void {
    const period = Duration.minutes(5);
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Scheduler', metricName, dimensionsMap: { ScheduleGroup: groupName }, period, statistic: 'Sum' });
    this.alarm(scope, 'SchedulerTargetErrorsAlarm', {
      alarmDescription: `EventBridge Scheduler group ${groupName}: target errors, dropped invocations and DLQ send failures >= ${ALARM_THRESHOLDS.schedulerTargetErrors} in 5 minutes (docs/operations.md, "Scheduler target errors")`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(errors, 0) + FILL(dropped, 0) + FILL(dlqFailed, 0)',
        usingMetrics: {
          errors: metric('TargetErrorCount'),
          dropped: metric('InvocationDroppedCount'),
          dlqFailed: metric('InvocationsFailedToBeSentToDeadLetterCount'),
        },
        period,
        label: 'Scheduler target errors',
      }),
      threshold: ALARM_THRESHOLDS.schedulerTargetErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** A dead-letter / on-failure queue that is not empty (failureQueue calls this for every queue). */
  watchQueue(scope: Construct, id: string, queue: sqs.IQueue): void {
    this.alarm(scope, `${id}Alarm`, {
      alarmDescription: `${scope.node.path}/${id}: dead-letter queue holds >= ${ALARM_THRESHOLDS.queueMessages} message(s): something failed past its retries (docs/operations.md, "Dead-letter queues")`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: ALARM_THRESHOLDS.queueMessages,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.queuesWatched.push({ id: `${scope.node.id}/${id}`, queue });
  }
}
