import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * What every bucket holding care data shares: SSE-KMS with the data key (and a bucket key, fewer
 * KMS calls), TLS only, no public access, no ACLs, versioning, server access logs under its own
 * prefix. Each bucket adds what sets it apart (Object Lock, lifecycle, CORS, retention).
 */
export function privateBucketProps(props: {
  encryptionKey: kms.IKey;
  accessLogsBucket: s3.IBucket;
  accessLogsPrefix: string;
}): s3.BucketProps {
  return {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: props.accessLogsBucket,
    serverAccessLogsPrefix: props.accessLogsPrefix,
  };
}
