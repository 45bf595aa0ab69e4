import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { AUDIT_JOURNAL_EXPIRATION_DAYS, type CareStackConfig } from '../config.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { OperatorAlarms } from '../constructs/operator-alarms.js';
import { AttachmentsBucket } from './attachments-bucket.js';
import { privateBucketProps } from './private-bucket.js';
import { CareTable } from './care-table.js';
import { CareUserPool } from './care-user-pool.js';
import { SignUpTriggers } from './sign-up-triggers.js';

export interface StatefulStackProps extends StackProps {
  readonly config: CareStackConfig;
}

/**
 * Everything that holds data or identity and must outlive a redeploy: the KMS key, the table,
 * the audit and log buckets, the user pool and the event bus. All RETAIN, none with a
 * hard-coded physical name. The stateless stack reads them through the public fields.
 */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly auditBucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly athenaResultsBucket: s3.Bucket;
  readonly userPool: CareUserPool;
  readonly bus: events.EventBus;
  /**
   * Export name of the audit bucket's ARN. The audit writer's policy imports it by this stable
   * name, so the policy (and its nag acknowledgement) does not depend on a generated export id.
   */
  readonly auditBucketArnExportName: string;
  /** The audit function's write-ahead plans (private, 7-day lifecycle, no Object Lock). */
  readonly auditJournalBucket: s3.Bucket;
  /** Export name of the journal bucket's ARN, for the audit function's object-level policy. */
  readonly auditJournalBucketArnExportName: string;
  /** Export name of the Athena results bucket's ARN, for the per-org result prefixes' policies. */
  readonly athenaResultsBucketArnExportName: string;
  /** Message attachments (private; reached only through URLs the messaging function signs). */
  readonly attachmentsBucket: s3.Bucket;
  /** Export name of the attachments bucket's ARN, for the messaging function's object-level policy. */
  readonly attachmentsBucketArnExportName: string;
  /** The one operator alarm topic of the app, and the factory of every alarm (docs/operations.md). */
  readonly operatorAlarms: OperatorAlarms;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    // First: every function and failure queue built after this registers its alarms with it.
    this.operatorAlarms = new OperatorAlarms(this, 'OperatorAlarms', config.alarmEmail ? { email: config.alarmEmail } : {});

    this.key = new kms.Key(this, 'DataKey', {
      description: 'CareStack data key: table, audit bucket, queues, logs, Athena results',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts the function, API and AppSync log groups with this key; the
    // condition limits it to log groups of this account and region.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` },
        },
      }),
    );

    // EventBridge (rule dead-letter queues) and EventBridge Scheduler deliver to SQS queues encrypted
    // with this key as their own service principals; without this they could not write the DLQs.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('scheduler.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    this.table = new CareTable(this, 'Table', { encryptionKey: this.key }).table;

    // Server access logs cannot be delivered to a KMS-encrypted bucket: this one uses SSE-S3.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(config.stage === 'prod' ? 2192 : 90), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket).acknowledge(
      {
        id: 'AwsSolutions-S1',
        reason: 'This is the server access log destination; logging it into itself would loop, and S3 writes to it with its own log delivery service.',
      },
      {
        id: 'HIPAA.Security-S3BucketLoggingEnabled',
        reason: 'This is the server access log destination; logging it into itself would loop, and S3 writes to it with its own log delivery service.',
      },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'S3 server access log delivery supports only SSE-S3 destination buckets, not SSE-KMS.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'Access logs are operational data kept in-region; cross-region replication is not required for them.',
      },
    );

    const retention =
      config.auditRetention.mode === 'COMPLIANCE'
        ? s3.ObjectLockRetention.compliance(Duration.days(config.auditRetention.days))
        : s3.ObjectLockRetention.governance(Duration.days(config.auditRetention.days));
    this.auditBucket = new s3.Bucket(this, 'AuditBucket', {
      ...privateBucketProps({ encryptionKey: this.key, accessLogsBucket: this.logBucket, accessLogsPrefix: 'audit-bucket/' }),
      objectLockEnabled: true,
      objectLockDefaultRetention: retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.auditBucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Audit objects are immutable (Object Lock) and versioned in-region; cross-region replication needs a second region and key that this deployment does not have yet (tracked in docs/infrastructure.md).',
    });

    this.auditBucketArnExportName = `${this.stackName}-audit-bucket-arn`;
    this.exportValue(this.auditBucket.bucketArn, { name: this.auditBucketArnExportName });

    // The audit function's write-ahead plans (docs/audit.md, "Exactly once"): what a batch is about
    // to store, read back only by a redelivery of that batch. Not the trail itself, so no Object
    // Lock; a redelivery comes within the stream's 24 h retention, so plans expire after 7 days.
    this.auditJournalBucket = new s3.Bucket(this, 'AuditJournal', {
      ...privateBucketProps({ encryptionKey: this.key, accessLogsBucket: this.logBucket, accessLogsPrefix: 'audit-journal/' }),
      lifecycleRules: [{ id: 'ExpirePlans', expiration: Duration.days(AUDIT_JOURNAL_EXPIRATION_DAYS), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.auditJournalBucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Plans live at most 7 days and matter only until a redelivered stream batch is stored; the trail they lead to is in the audit bucket.',
    });
    this.auditJournalBucketArnExportName = `${this.stackName}-audit-journal-bucket-arn`;
    this.exportValue(this.auditJournalBucket.bucketArn, { name: this.auditJournalBucketArnExportName });

    this.athenaResultsBucket = new s3.Bucket(this, 'AthenaResults', {
      ...privateBucketProps({ encryptionKey: this.key, accessLogsBucket: this.logBucket, accessLogsPrefix: 'athena-results/' }),
      // Query results can contain audit rows: keep them briefly, the source of truth is the audit bucket.
      lifecycleRules: [{ expiration: Duration.days(30), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.athenaResultsBucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'Athena query results are disposable copies (expired after 30 days); the audit bucket is the record.',
    });
    this.athenaResultsBucketArnExportName = `${this.stackName}-athena-results-bucket-arn`;
    this.exportValue(this.athenaResultsBucket.bucketArn, { name: this.athenaResultsBucketArnExportName });

    this.attachmentsBucket = new AttachmentsBucket(this, 'Attachments', {
      encryptionKey: this.key,
      accessLogsBucket: this.logBucket,
      corsAllowOrigins: config.corsAllowOrigins,
    }).bucket;
    this.attachmentsBucketArnExportName = `${this.stackName}-attachments-bucket-arn`;
    this.exportValue(this.attachmentsBucket.bucketArn, { name: this.attachmentsBucketArnExportName });

    this.bus = new events.EventBus(this, 'Bus', { description: 'CareStack domain events' });
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // The post-authentication trigger lives here, beside the pool: in the stateless stack the pool
    // would reference the function and the function the pool, a cross-stack cycle.
    const signInAudit = new CareFunction(this, 'SignInAudit', {
      functionId: 'signInAudit',
      environment: { [ENV.tableName]: this.table.tableName },
      logEncryptionKey: this.key,
      logRetention: config.stage === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
    });
    grantTableAccess(signInAudit.function, this.table, this.key, 'readwrite'); // reads the profile for roles

    const signUp = new SignUpTriggers(this, 'SignUp', {
      table: this.table,
      key: this.key,
      logRetention: config.stage === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
    });
    this.userPool = new CareUserPool(this, 'Users', {
      stage: config.stage,
      postAuthentication: signInAudit.function,
      signUp: signUp.triggers,
    });
    signUp.allowGroupChanges(this.userPool.userPool);
  }
}
