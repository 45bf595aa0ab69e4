import { CfnOutput, Duration, Fn, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_JOURNAL_PREFIX, AUDIT_PREFIX } from '../../lambdas/shared/audit/audit-event.js';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { ALARM_THRESHOLDS, OperatorAlarms } from '../constructs/operator-alarms.js';

export interface StreamConsumersProps {
  readonly table: dynamodb.ITable;
  readonly auditBucket: s3.IBucket;
  /** Export name of the audit bucket's ARN (StatefulStack.auditBucketArnExportName). */
  readonly auditBucketArnExportName: string;
  /** The audit function's write-ahead plans. */
  readonly auditJournalBucket: s3.IBucket;
  /** Export name of the journal bucket's ARN (StatefulStack.auditJournalBucketArnExportName). */
  readonly auditJournalBucketArnExportName: string;
  readonly bus: events.IEventBus;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The audit writer's event source batching, exported so the benchmark feeds the real handler the
 * batches Lambda would (`npm run bench`, "audit batching").
 */
export const AUDIT_STREAM_BATCHING = { batchSize: 1000, maxBatchingWindowSeconds: 5 } as const;

/**
 * An encrypted, TLS-only SQS queue that holds what could not be processed, for 14 days, with an
 * alarm to the operator topic as soon as it holds a message (lib/constructs/operator-alarms.ts).
 */
export function failureQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter destination (records of failed batches or undeliverable events); a DLQ of a DLQ would only move the problem.',
  });
  OperatorAlarms.of(scope).watchQueue(scope, id, queue);
  return queue;
}

/**
 * The two consumers of the table's stream: the audit writer (every change to an Object Lock
 * object) and the events publisher (domain events to the bus). Each reports partial batch
 * failures, splits a failing batch to isolate the poison record, retries a bounded number of
 * times and then parks the batch's stream coordinates in an SQS queue.
 */
export class StreamConsumers extends Construct {
  readonly audit: CareFunction;
  readonly events: CareFunction;
  readonly auditFailures: sqs.Queue;
  readonly eventsFailures: sqs.Queue;
  /** Operator-invoked: the failed audit batches back through the audit path (docs/operations.md). */
  readonly auditRedrive: CareFunction;
  /** Operator-invoked: the failed event batches back onto the bus. */
  readonly eventsRedrive: CareFunction;

  constructor(scope: Construct, id: string, props: StreamConsumersProps) {
    super(scope, id);

    this.audit = new CareFunction(this, 'Audit', {
      functionId: 'audit',
      environment: { [ENV.auditBucketName]: props.auditBucket.bucketName, [ENV.auditJournalBucketName]: props.auditJournalBucket.bucketName },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.seconds(60),
      memorySize: 1024,
    });
    this.allowAuditWrites(this.audit, props);
    this.auditFailures = failureQueue(this, 'AuditFailures', props.key);
    this.audit.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        // Up to 1000 records, waiting up to 5 s to gather them: the function writes one S3 object
        // per batch (and org/day), so fuller batches mean fewer, larger audit objects and fewer
        // PUTs, at the price of at most 5 s before a change is queryable.
        batchSize: AUDIT_STREAM_BATCHING.batchSize,
        maxBatchingWindow: Duration.seconds(AUDIT_STREAM_BATCHING.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.auditFailures),
      }),
    );

    this.events = new CareFunction(this, 'Events', {
      functionId: 'events',
      environment: { [ENV.eventBusName]: props.bus.eventBusName },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
    });
    props.bus.grantPutEventsTo(this.events.function);
    this.eventsFailures = failureQueue(this, 'EventsFailures', props.key);
    this.events.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        // Realtime: small batches, no batching window, so events reach subscribers quickly.
        batchSize: 100,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 5,
        // A realtime event older than an hour is no longer news; it goes to the failure queue.
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.eventsFailures),
      }),
    );

    // The redrives (docs/operations.md): an operator invokes them; each drains its consumer's failures
    // queue through that consumer's own handler. Read the stream, receive and delete the queue's messages.
    this.auditRedrive = new CareFunction(this, 'AuditRedrive', {
      functionId: 'auditRedrive',
      environment: {
        [ENV.auditBucketName]: props.auditBucket.bucketName,
        [ENV.auditJournalBucketName]: props.auditJournalBucket.bucketName,
        [ENV.failureQueueUrl]: this.auditFailures.queueUrl,
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.minutes(10),
      memorySize: 1024,
    });
    this.allowAuditWrites(this.auditRedrive, props);
    this.eventsRedrive = new CareFunction(this, 'EventsRedrive', {
      functionId: 'eventsRedrive',
      environment: { [ENV.eventBusName]: props.bus.eventBusName, [ENV.failureQueueUrl]: this.eventsFailures.queueUrl },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.minutes(10),
    });
    props.bus.grantPutEventsTo(this.eventsRedrive.function);
    for (const [fn, queue] of [[this.auditRedrive, this.auditFailures], [this.eventsRedrive, this.eventsFailures]] as const) {
      queue.grantConsumeMessages(fn.function);
      props.table.grantStreamRead(fn.function);
    }
    // What the operator invokes (docs/operations.md, "Audit redrive").
    new CfnOutput(this, 'AuditRedriveFunctionName', { value: this.auditRedrive.function.functionName, description: 'Invoke to redrive StreamAuditFailures into the audit trail' });
    new CfnOutput(this, 'EventsRedriveFunctionName', { value: this.eventsRedrive.function.functionName, description: 'Invoke to redrive StreamEventsFailures onto the bus' });

    // How far each consumer lags the table (Lambda's IteratorAge): the audit trail may be minutes
    // behind while it retries, realtime events only seconds.
    const alarms = OperatorAlarms.of(this);
    for (const [name, fn, threshold] of [
      ['Audit', this.audit, ALARM_THRESHOLDS.auditIteratorAgeMs],
      ['Events', this.events, ALARM_THRESHOLDS.eventsIteratorAgeMs],
    ] as const) {
      alarms.alarm(this, `${name}IteratorAgeAlarm`, {
        alarmDescription: `${name.toLowerCase()} stream consumer: iterator age >= ${threshold / 1000} s (the ${name === 'Audit' ? 'audit trail' : 'realtime events'} lag the table; docs/operations.md, "Stream iterator age")`,
        metric: fn.function.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    const kmsWildcards = ['kms:GenerateDataKey*', 'kms:ReEncrypt*'];
    for (const fn of [this.audit, this.events, this.auditRedrive, this.eventsRedrive]) {
      Validations.of(fn).acknowledge(
        ...kmsWildcards.map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `Generated by CDK's grant to send to the KMS-encrypted on-failure queue: ${action} on the one data key (resource-scoped); the wildcard only spans that action's variants.`,
        })),
      );
    }
  }

  /** Put under the trail's audit/ prefix and the journal's audit-journal/ (the audit function and its redrive). */
  private allowAuditWrites(fn: CareFunction, props: StreamConsumersProps): void {
    // Only s3:PutObject under audit/: no read, no delete, no retention or legal-hold changes.
    // Object Lock applies the bucket's default retention to every new object.
    const auditObjects = `${Fn.importValue(props.auditBucketArnExportName)}/${AUDIT_PREFIX}*`;
    fn.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [auditObjects] }));
    // The journal: put and read back plans under audit-journal/, list only that prefix.
    const journalArn = Fn.importValue(props.auditJournalBucketArnExportName);
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [`${journalArn}/${AUDIT_JOURNAL_PREFIX}*`] }),
    );
    fn.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [journalArn],
        conditions: { StringLike: { 's3:prefix': [`${AUDIT_JOURNAL_PREFIX}*`] } },
      }),
    );
    props.key.grant(fn.function, 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt');
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.auditBucketArnExportName}/${AUDIT_PREFIX}*]`,
      reason: 'Put is limited to the audit/ prefix; object keys are derived at run time from org, day and batch sequence numbers.',
    });
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${props.auditJournalBucketArnExportName}/${AUDIT_JOURNAL_PREFIX}*]`,
      reason: 'Put and get are limited to the journal bucket\'s audit-journal/ prefix; plan keys are derived at run time from batch sequence numbers.',
    });
  }
}
