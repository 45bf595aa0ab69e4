import { Aws } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_COLUMNS, AUDIT_PREFIX } from '../../lambdas/shared/audit/audit-event.js';
import type { Stage } from '../config.js';

export interface AuditQueryProps {
  readonly stage: Stage;
  readonly auditBucket: s3.IBucket;
  readonly key: kms.IKey;
}

/** The Athena table name compliance officers query (API.md, "Audit trail"). */
export const AUDIT_TABLE_NAME = 'audit_events';

/**
 * `audit_events` for Athena: a Glue table over the audit bucket's gzipped NDJSON, with partition
 * projection (org injected by the query, dt a date range), so no crawler and no partition
 * maintenance; and a workgroup whose results are KMS-encrypted in their own bucket, under the
 * caller's org prefix (`org=<orgId>/`): the workgroup names no output location and does not
 * enforce its configuration, so each query names its org's prefix, and Athena writes there with
 * the caller's permissions (docs/audit.md, "A compliance officer on AWS").
 */
export class AuditQuery extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: AuditQueryProps) {
    super(scope, id);
    // Catalog names are queried by people, so they are readable; they name metadata, not data.
    this.databaseName = `carestack_${props.stage}_audit`;
    this.workGroupName = `carestack-${props.stage}-audit`;
    const location = `s3://${props.auditBucket.bucketName}/${AUDIT_PREFIX}`;

    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'CareStack audit trail (read-only, Object Lock bucket)' },
    });

    const table = new glue.CfnTable(this, 'AuditEvents', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: AUDIT_TABLE_NAME,
        description: 'One row per audited change, read or sign-in',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [
          { name: 'org', type: 'string' },
          { name: 'dt', type: 'string' },
        ],
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          // Every audit query names its org (`WHERE org = '...'`): injected keeps S3 listing to one org.
          'projection.org.type': 'injected',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `${location}org=\${org}/dt=\${dt}/`,
        },
        storageDescriptor: {
          location,
          columns: AUDIT_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'FALSE', 'case.insensitive': 'TRUE' },
          },
        },
      },
    });
    table.addResourceDependency(database);

    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Compliance queries over audit_events',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        // Enforced, one shared output location would let every org read every org's results.
        enforceWorkGroupConfiguration: false,
        publishCloudWatchMetricsEnabled: true,
        // Stops a runaway scan of years of audit objects: 10 GB per query.
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        // No outputLocation: a query that does not name its org's prefix has nowhere to write and fails.
        resultConfiguration: {
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });

  }
}
