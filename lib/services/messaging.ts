import { Duration, Fn, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { ALARM_THRESHOLDS, OperatorAlarms } from '../constructs/operator-alarms.js';
import { grantTableAccess } from '../constructs/grants.js';
import { KEPT_PREFIX, PENDING_PREFIX } from '../stateful/attachments-bucket.js';
import { failureQueue } from '../stateless/stream-consumers.js';

/**
 * The records the retention consumer is invoked for (lambdas/messaging/retention.ts decides the
 * rest): TTL deletions of attachment items (DynamoDB's own: `userIdentity.type` Service), changes
 * of org settings, and conversation changes that touched a legal hold (their `auditAction`).
 */
export const RETENTION_STREAM_FILTERS = [
  { eventName: ['REMOVE'], userIdentity: { type: ['Service'] }, dynamodb: { OldImage: { entityType: { S: ['Attachment'] } } } },
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { entityType: { S: ['OrgSettings'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { entityType: { S: ['Conversation'] }, auditAction: { S: ['legal_hold', 'legal_hold_lifted'] } } } },
] as const;

export interface MessagingServiceProps {
  readonly table: dynamodb.ITable;
  /** The attachments bucket (StatefulStack.attachmentsBucket). */
  readonly attachmentsBucket: s3.IBucket;
  /**
   * Export name of the attachments bucket's ARN (StatefulStack.attachmentsBucketArnExportName):
   * the object-level policy is built on it, so the policy and its nag acknowledgement do not
   * depend on a generated export id.
   */
  readonly attachmentsBucketArnExportName: string;
  /** Encrypts the table, the bucket's objects and the log group. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * The messaging domain: one function that serves the conversation and attachment routes (wired
 * into the REST API from the route table). It signs the URLs clients upload and download
 * attachments with, so its role holds exactly what those requests need: s3:PutObject and
 * s3:GetObject on the attachments bucket's two prefixes (PutObject signs uploads and is the copy
 * target, GetObject signs downloads, is the copy source and answers HeadObject), and the key's
 * encrypt/decrypt for SSE-KMS. No ListBucket, no DeleteObject: lifecycle rules remove files.
 */
export class MessagingService extends Construct {
  readonly function: CareFunction;
  /** The retention consumer (docs/retention.md): files deleted after TTL, TTLs re-timed. */
  readonly retention: CareFunction;
  readonly retentionFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: MessagingServiceProps) {
    super(scope, id);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'messaging',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.attachmentsBucketName]: props.attachmentsBucket.bucketName,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    // Conversations, participants, messages, attachments, and reads of user profiles, patients and
    // care-team links for the access policy: the table and its two named indexes, no Scan.
    grantTableAccess(fn, props.table, props.key, 'readwrite');

    const arn = Fn.importValue(props.attachmentsBucketArnExportName);
    const objects = [PENDING_PREFIX, KEPT_PREFIX].map((prefix) => `${arn}/${prefix}*`);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: objects }));
    // SSE-KMS: a presigned PUT (and the copy) encrypts under the data key, a GET decrypts.
    props.key.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');

    Validations.of(this.function).acknowledge(
      ...[PENDING_PREFIX, KEPT_PREFIX].map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::${props.attachmentsBucketArnExportName}/${prefix}*]`,
        reason: `Object keys under ${prefix} are attachment ids created at run time (ULIDs per org); the grant is Put/Get only, on that prefix of the one attachments bucket.`,
      })),
    );

    // ---- retention: a consumer of the table's stream, filtered to the records it acts on ----------
    this.retention = new CareFunction(this, 'Retention', {
      functionId: 'messagingRetention',
      environment: { [ENV.tableName]: props.table.tableName, [ENV.attachmentsBucketName]: props.attachmentsBucket.bucketName },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      // Re-timing an org walks every message of it (docs/retention.md, "Limits").
      timeout: Duration.minutes(15),
    });
    const rfn = this.retention.function;
    // Messages, attachments, conversations and settings: read, and update their TTL.
    grantTableAccess(rfn, props.table, props.key, 'readwrite');
    this.retentionFailures = failureQueue(this, 'RetentionFailures', props.key);
    rfn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        filters: RETENTION_STREAM_FILTERS.map((f) => lambda.FilterCriteria.filter(f as unknown as Record<string, unknown>)),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        // The stream keeps records 24 h; a deletion that still fails then is parked with its coordinates.
        maxRecordAge: Duration.days(1),
        onFailure: new SqsDlq(this.retentionFailures),
      }),
    );
    // Its lag matters as the other consumers' does: re-timing TTLs late could let a held message go.
    OperatorAlarms.of(this).alarm(this, 'RetentionIteratorAgeAlarm', {
      alarmDescription: `message retention stream consumer: iterator age >= ${ALARM_THRESHOLDS.retentionIteratorAgeMs / 1000} s (TTL re-timing lags the table; docs/retention.md)`,
      metric: rfn.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: ALARM_THRESHOLDS.retentionIteratorAgeMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Every version of a file whose item TTL removed: list the key's versions, delete them. No Get, no Put.
    rfn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'], resources: objects }));
    rfn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucketVersions'],
        resources: [arn],
        conditions: { StringLike: { 's3:prefix': [PENDING_PREFIX, KEPT_PREFIX].map((prefix) => `${prefix}*`) } },
      }),
    );
    Validations.of(this.retention).acknowledge(
      ...[PENDING_PREFIX, KEPT_PREFIX].map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::${props.attachmentsBucketArnExportName}/${prefix}*]`,
        reason: `Object keys under ${prefix} are attachment ids created at run time; the grant is delete only (with versions), on that prefix of the one attachments bucket, for files whose items TTL removed.`,
      })),
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `Generated by CDK's grant to send to the KMS-encrypted on-failure queue: ${action} on the one data key (resource-scoped); the wildcard only spans that action's variants.`,
      })),
    );
  }
}
