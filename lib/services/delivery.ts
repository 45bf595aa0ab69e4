import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_EVENT_TYPES } from '../../lambdas/delivery/app.js';
import { deliveryHoldName } from '../../lambdas/delivery/delivery.js';
import { ENV } from '../../lambdas/shared/env.js';
import { EVENT_SOURCE } from '../../lambdas/shared/events/care-event.js';
import type { DeliveryConfig } from '../config.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { failureQueue } from '../stateless/stream-consumers.js';

export interface DeliveryServiceProps {
  readonly table: dynamodb.ITable;
  /** The bus the events function publishes `NotificationCreated` to. */
  readonly bus: events.IEventBus;
  /** Encrypts the log group and the failure queue. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Channels and links (context `delivery`, lib/config.ts). */
  readonly config: DeliveryConfig;
  /**
   * The scheduling machinery (MedicationsService): quiet-hours holds are one-time schedules in its
   * group, fired by its role (which this construct allows to invoke the delivery function).
   */
  readonly scheduling: {
    readonly group: scheduler.CfnScheduleGroup;
    readonly role: iam.IRole;
    readonly deadLetters: sqs.IQueue;
  };
}

/**
 * Delivery off the app (docs/delivery.md): a function fed by a bus rule on `NotificationCreated`
 * (the inbox item was committed) that sends on each recipient's chosen channels through SNS mobile
 * push, SNS SMS and SES, and sets one-time schedules (targeting itself) that release messages held
 * through quiet hours. Not on the API path: the preference routes live in the notifications function.
 * Failed invocations land, after Lambda's retries with backoff, in an encrypted queue whose alarm goes
 * to the operator topic (failureQueue, lib/constructs/operator-alarms.ts).
 */
export class DeliveryService extends Construct {
  readonly function: CareFunction;
  readonly rule: events.Rule;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeliveryServiceProps) {
    super(scope, id);
    const { config } = props;
    const groupName = props.scheduling.group.name;
    if (!groupName) throw new Error('DeliveryService needs a schedule group with a known name');

    this.failures = failureQueue(this, 'Failures', props.key);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'delivery',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.scheduleGroupName]: groupName,
        [ENV.schedulerRoleArn]: props.scheduling.role.roleArn,
        [ENV.scheduleDlqArn]: props.scheduling.deadLetters.queueArn,
        [ENV.appUrl]: config.appUrl,
        [ENV.smsEnabled]: String(config.sms),
        ...(config.apnsPlatformApplicationArn ? { [ENV.apnsPlatformApplicationArn]: config.apnsPlatformApplicationArn } : {}),
        ...(config.fcmPlatformApplicationArn ? { [ENV.fcmPlatformApplicationArn]: config.fcmPlatformApplicationArn } : {}),
        ...(config.emailFrom ? { [ENV.emailFrom]: config.emailFrom } : {}),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      // Lambda retries a failed delivery twice with backoff (about 1 and 2 minutes); each retry
      // sends only what is still unsent (the delivery records), then the event goes to the queue.
      asyncInvocation: { deadLetterQueue: this.failures, retryAttempts: 2, maxEventAge: Duration.hours(6) },
    });
    const fn = this.function.function;
    // Inbox item, preferences, devices, the profile's email, delivery records: the table only.
    grantTableAccess(fn, props.table, props.key, 'readwrite');

    // Quiet-hours holds: create or replace `dlv-*` one-time schedules (they delete themselves after running).
    fn.node.addDependency(props.scheduling.group);
    const holdsArn = `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/${deliveryHoldName('*')}`;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'], resources: [holdsArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.scheduling.role.roleArn] }));
    new iam.ManagedPolicy(this, 'SchedulerInvokesDelivery', {
      description: 'EventBridge Scheduler may invoke the delivery function (quiet-hours releases)',
      roles: [props.scheduling.role],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    });

    const apps = [config.apnsPlatformApplicationArn, config.fcmPlatformApplicationArn].filter((a): a is string => !!a);
    if (apps.length) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:CreatePlatformEndpoint'], resources: apps }));
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sns:Publish', 'sns:DeleteEndpoint'], resources: apps.map((a) => `${a.replace(':app/', ':endpoint/')}/*`) }),
      );
    }
    if (config.sms) {
      // An SMS to a phone number has no resource ARN that IAM could name: SNS documents Publish on "*".
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
    }
    if (config.emailFrom && config.emailIdentity) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${config.emailIdentity}`],
          conditions: { StringEquals: { 'ses:FromAddress': /<([^>]+)>/.exec(config.emailFrom)?.[1] ?? config.emailFrom } },
        }),
      );
    }

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'NotificationCreated -> the delivery function (push, SMS, email off the app)',
      eventPattern: { source: [EVENT_SOURCE], detailType: [...DELIVERY_EVENT_TYPES] },
      targets: [new targets.LambdaFunction(fn, { deadLetterQueue: this.failures, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });

    Validations.of(this.function).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/${deliveryHoldName('*')}]`,
        reason: 'Hold names are derived at run time from notification ids (dlv-<notificationId>); the wildcard is limited to that prefix in the one CareStack schedule group.',
      },
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `Generated by CDK's grant to send to the KMS-encrypted dead-letter queue: ${action} on the one data key (resource-scoped); the wildcard only spans that action's variants.`,
      })),
      ...(config.sms
        ? [{
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: 'sns:Publish of an SMS names a phone number, not a resource: SNS accepts no narrower resource for it. Besides X-Ray (CareFunction), this is the only "*" of the delivery role; set context delivery.sms=false to drop it.',
          }]
        : []),
      ...apps.map((a) => ({
        id: `AwsSolutions-IAM5[Resource::${a.replace(':app/', ':endpoint/')}/*]`,
        reason: 'SNS creates one platform endpoint per device token with a random id; the wildcard spans only the endpoints of this platform application.',
      })),
    );
  }
}
