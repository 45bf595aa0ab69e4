import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { TABLE_DEFINITION } from '../table-definition.js';

const READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Least-privilege access to the single table: the table and its named indexes (from
 * TABLE_DEFINITION, no `index/*` wildcard), no Scan (runtime code never scans), and the exact KMS
 * actions DynamoDB needs on the table's key. Used instead of `table.grantReadWriteData`, whose
 * wildcards would each need a nag acknowledgement.
 */
export function grantTableAccess(
  grantee: iam.IGrantable,
  table: dynamodb.ITable,
  key: kms.IKey,
  access: 'read' | 'write' | 'readwrite',
): void {
  const indexArns = TABLE_DEFINITION.globalSecondaryIndexes.map(
    (gsi) => `${table.tableArn}/index/${gsi.indexName}`,
  );
  iam.Grant.addToPrincipal({
    grantee,
    actions: access === 'read' ? READ : access === 'write' ? WRITE : [...READ, ...WRITE],
    resourceArns: [table.tableArn, ...indexArns],
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: access === 'read' ? ['kms:Decrypt', 'kms:DescribeKey'] : ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resourceArns: [key.keyArn],
  });
}
