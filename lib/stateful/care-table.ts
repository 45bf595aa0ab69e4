import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ALARM_THRESHOLDS, OperatorAlarms } from '../constructs/operator-alarms.js';
import { TABLE_DEFINITION } from '../table-definition.js';

export interface CareTableProps {
  /** Customer-managed key that encrypts the table and its stream. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The single table, built from TABLE_DEFINITION (the same object the local stack's CreateTable
 * uses): keys, indexes, TTL and stream view come from there, the AWS-only settings from here.
 */
export class CareTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CareTableProps) {
    super(scope, id);
    const def = TABLE_DEFINITION;

    this.table = new dynamodb.Table(this, 'Resource', {
      partitionKey: { name: def.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: def.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: dynamodb.StreamViewType[def.streamViewType],
      timeToLiveAttribute: def.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Throttled reads and writes of the table and of every index, summed: on-demand tables still
    // throttle past their partition or account limits, and a throttled write is a 500 to a user.
    const period = Duration.minutes(5);
    const throttles: Record<string, cloudwatch.IMetric> = {};
    const scopes: Array<Record<string, string>> = [{}, ...def.globalSecondaryIndexes.map((g) => ({ GlobalSecondaryIndexName: g.indexName }))];
    scopes.forEach((dims, i) => {
      for (const [kind, metricName] of [['r', 'ReadThrottleEvents'], ['w', 'WriteThrottleEvents']] as const) {
        throttles[`${kind}${i}`] = this.table.metric(metricName, { period, statistic: 'Sum', dimensionsMap: { TableName: this.table.tableName, ...dims } });
      }
    });
    OperatorAlarms.of(this).alarm(this, 'ThrottlesAlarm', {
      alarmDescription: `DynamoDB table: throttled read/write events (table and indexes) >= ${ALARM_THRESHOLDS.dynamoThrottles} in 5 minutes (docs/operations.md, "DynamoDB throttles")`,
      metric: new cloudwatch.MathExpression({
        expression: Object.keys(throttles).map((k) => `FILL(${k}, 0)`).join(' + '),
        usingMetrics: throttles,
        period,
        label: 'Throttled events',
      }),
      threshold: ALARM_THRESHOLDS.dynamoThrottles,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery (35 days of continuous backups) and deletion protection are on; an AWS Backup plan with vault lock is an account-level decision made outside this app.',
    });
  }
}
