import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
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

    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery (35 days of continuous backups) and deletion protection are on; an AWS Backup plan with vault lock is an account-level decision made outside this app.',
    });
  }
}
