import { Fn, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AUDIT_PREFIX } from '../../lambdas/shared/audit/audit-event.js';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface AccessReportsServiceProps {
  readonly table: dynamodb.ITable;
  /** The data key: the table's, the audit objects' and the query results'. */
  readonly key: kms.IKey;
  readonly auditBucketArnExportName: string;
  readonly resultsBucket: s3.IBucket;
  readonly resultsBucketArnExportName: string;
  readonly workGroupName: string;
  readonly databaseName: string;
  readonly tableName: string;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/** Where the function's runs write: under each org's own prefix, beside that org's officers' results. */
export const ACCESS_REPORT_RESULTS = 'access-reports/';

/**
 * Patient access reports: one function that runs the report's query on Athena in the audit
 * workgroup and keeps the rows on the report in the table. It serves every org, so it may read
 * every org's audit objects; the query it builds names the caller's org (the service decides it
 * from the token), and its results go under that org's prefix of the results bucket.
 */
export class AccessReportsService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: AccessReportsServiceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'accessReports',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.auditWorkGroup]: props.workGroupName,
        [ENV.auditDatabase]: props.databaseName,
        [ENV.athenaResultsBucketName]: props.resultsBucket.bucketName,
        [ENV.athenaResultsKeyArn]: props.key.keyArn,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    // Reports and their rows, idempotency and access records, patients and user names: the table
    // and its two named indexes, no Scan. The same key decrypts audit objects and encrypts results.
    grantTableAccess(fn, props.table, props.key, 'readwrite');

    const auditBucketArn = Fn.importValue(props.auditBucketArnExportName);
    const resultsBucketArn = Fn.importValue(props.resultsBucketArnExportName);
    const resultObjects = `${resultsBucketArn}/org=*/${ACCESS_REPORT_RESULTS}*`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroupName })],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/${props.tableName}` }),
        ],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [auditBucketArn, resultsBucketArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`${auditBucketArn}/${AUDIT_PREFIX}*`] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], resources: [resultObjects] }));

    Validations.of(this.function).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${props.auditBucketArnExportName}/${AUDIT_PREFIX}*]`,
        reason:
          "Read-only on the audit prefix: the function serves every org; each query it runs names the caller's org (from the token), and audit objects are named at run time.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${props.resultsBucketArnExportName}/org=*/${ACCESS_REPORT_RESULTS}*]`,
        reason:
          "Athena writes each report's results under the caller's org prefix (org=<org>/access-reports/<report>/); the org and the object names are known only at run time.",
      },
    );
  }
}
