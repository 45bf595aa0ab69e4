import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFYING_EVENT_TYPES } from '../../lambdas/notifications/rules.js';
import { ENV } from '../../lambdas/shared/env.js';
import { EVENT_SOURCE } from '../../lambdas/shared/events/care-event.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { failureQueue } from '../stateless/stream-consumers.js';

export interface NotificationsServiceProps {
  readonly table: dynamodb.ITable;
  /** The bus the events function publishes domain events to. */
  readonly bus: events.IEventBus;
  /** Encrypts the log group and the failure queue. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
  /**
   * Event types that notify someone: the rule's `detail-type` list.
   * @default - the keys of NOTIFICATION_RULES (lambdas/notifications/rules.ts)
   */
  readonly eventTypes?: readonly string[];
}

/**
 * The notifications domain: one function that serves the inbox routes (`/me/notifications...`,
 * wired into the REST API from the route table) and is the target of a bus rule that fans domain
 * events out to inboxes. Events that could not be delivered to the function, or whose fan-out still
 * failed after Lambda's asynchronous retries, land in an encrypted SQS queue.
 */
export class NotificationsService extends Construct {
  readonly function: CareFunction;
  readonly rule: events.Rule;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: NotificationsServiceProps) {
    super(scope, id);
    const eventTypes = props.eventTypes ?? NOTIFYING_EVENT_TYPES;
    if (eventTypes.length === 0) throw new Error('NotificationsService needs at least one event type to listen to');

    this.function = new CareFunction(this, 'Function', {
      functionId: 'notifications',
      environment: {
        [ENV.tableName]: props.table.tableName,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    // Reads recipients (care team, coordinators, the patient's login) and writes inbox items and
    // counters; the table and its two named indexes only, no Scan.
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');

    this.failures = failureQueue(this, 'Failures', props.key);
    // EventBridge invokes the function asynchronously: after Lambda's own retries a failed fan-out
    // goes to the function's dead-letter queue (the same queue as the rule's).
    const fn = this.function.function;
    (fn.node.defaultChild as lambda.CfnFunction).deadLetterConfig = { targetArn: this.failures.queueArn };
    this.failures.grantSendMessages(fn);
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });

    this.rule = new events.Rule(this, 'FanOutRule', {
      eventBus: props.bus,
      description: 'Domain events that notify someone -> the notifications function (inbox fan-out)',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...eventTypes] },
      targets: [
        new targets.LambdaFunction(fn, {
          deadLetterQueue: this.failures,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
  }
}
