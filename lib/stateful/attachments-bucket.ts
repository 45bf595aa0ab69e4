import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { privateBucketProps } from './private-bucket.js';

/** Uploads land under this prefix and expire unless a message references them (lambdas/messaging/keys.ts). */
export const PENDING_PREFIX = 'pending/';
/** Files a message references are copied here and kept. */
export const KEPT_PREFIX = 'files/';

export interface AttachmentsBucketProps {
  /** Encrypts every object (SSE-KMS with a bucket key). */
  readonly encryptionKey: kms.IKey;
  /** Destination of the server access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Browser origins allowed to PUT/GET through presigned URLs. */
  readonly corsAllowOrigins: readonly string[];
  /**
   * Days an upload that no message references is kept under `pending/`.
   * @default 1
   */
  readonly pendingExpirationDays?: number;
  /**
   * Days a replaced or deleted version of a kept file is retained.
   * @default 30
   */
  readonly noncurrentVersionDays?: number;
}

/**
 * The private bucket of message attachments. Clients reach it only through presigned URLs that
 * the messaging function signs: no public access, TLS only, SSE-KMS, versioned, access-logged.
 * Uploads that no message references (`pending/`) expire after a day, old versions after 30.
 */
export class AttachmentsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AttachmentsBucketProps) {
    super(scope, id);
    const pendingDays = Duration.days(props.pendingExpirationDays ?? 1);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...privateBucketProps({ encryptionKey: props.encryptionKey, accessLogsBucket: props.accessLogsBucket, accessLogsPrefix: 'attachments-bucket/' }),
      lifecycleRules: [
        {
          id: 'ExpireUnreferencedUploads',
          prefix: PENDING_PREFIX,
          expiration: pendingDays,
          noncurrentVersionExpiration: pendingDays,
          abortIncompleteMultipartUploadAfter: pendingDays,
        },
        {
          id: 'ExpireOldVersionsOfKeptFiles',
          prefix: KEPT_PREFIX,
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30),
        },
      ],
      // Browsers PUT and GET through the presigned URLs directly.
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: [...props.corsAllowOrigins],
          allowedHeaders: ['content-type', 'content-length'],
          exposedHeaders: ['etag'],
          maxAge: 600,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason:
        'Attachments are versioned and KMS-encrypted in-region; cross-region replication needs a second region and key that this deployment does not have yet (the same open item as the audit bucket, docs/infrastructure.md).',
    });
  }
}
