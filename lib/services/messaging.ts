import { Fn, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { KEPT_PREFIX, PENDING_PREFIX } from '../stateful/attachments-bucket.js';

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
  }
}
