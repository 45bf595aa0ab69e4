/**
 * Message retention's infrastructure (docs/retention.md): TTL on the table, the retention consumer
 * on the table's stream with a filter that lets through only what it acts on, and its role, which
 * may delete attachment files (with their versions) and nothing else in the bucket.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { RETENTION_STREAM_FILTERS } from '../../lib/services/messaging.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';

const built = buildApp('dev');
const stateful = built.statefulTemplate.toJSON().Resources as Record<string, CfnResource>;
const stateless = built.statelessTemplate.toJSON().Resources as Record<string, CfnResource>;
const ofType = (resources: Record<string, CfnResource>, t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const functionId = (description: string) => ofType(stateless, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Description === description)?.[0];
const statementsOf = (fnId: string) => {
  const roleId = stateless[fnId]!.Properties.Role['Fn::GetAtt'][0] as string;
  return ofType(stateless, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
};
const actionsOf = (s: PolicyStatement): string[] => [s.Action].flat();
const EXPORT = 'carestack-dev-stateful-attachments-bucket-arn';

describe('message retention infrastructure', () => {
  const retentionFn = functionId(FUNCTIONS.messagingRetention.description)!;

  it('has DynamoDB TTL on expiresAt, the attribute messages and attachments carry', () => {
    const [, table] = ofType(stateful, 'AWS::DynamoDB::Table')[0]!;
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('feeds the retention consumer from the table stream, filtered, with partial failures and an on-failure queue', () => {
    expect(retentionFn).toBeDefined();
    const mappings = ofType(stateless, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => m.Properties.FunctionName.Ref === retentionFn);
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]![1].Properties;
    expect(mapping.EventSourceArn).toBeDefined();
    expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping.StartingPosition).toBe('TRIM_HORIZON');
    expect(mapping.DestinationConfig.OnFailure.Destination).toBeDefined();
    const patterns = (mapping.FilterCriteria.Filters as Array<{ Pattern: string }>).map((f) => JSON.parse(f.Pattern));
    expect(patterns).toEqual(RETENTION_STREAM_FILTERS);
    // TTL deletions only: a user's delete of an attachment item is no reason to delete a file.
    expect(patterns[0]).toMatchObject({ eventName: ['REMOVE'], userIdentity: { type: ['Service'] } });
  });

  it('may delete attachment files and their versions under pending/ and files/, list only their versions, and read no file', () => {
    const s3 = statementsOf(retentionFn).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const deletes = s3.find((s) => actionsOf(s).includes('s3:DeleteObjectVersion'))!;
    expect(actionsOf(deletes).sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion']);
    expect(JSON.stringify(deletes.Resource)).toContain(EXPORT);
    expect(JSON.stringify(deletes.Resource)).toContain('/pending/*');
    expect(JSON.stringify(deletes.Resource)).toContain('/files/*');
    const list = s3.find((s) => actionsOf(s).includes('s3:ListBucketVersions'))!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['pending/*', 'files/*'] } });
    expect(s3.flatMap(actionsOf).sort()).toEqual(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:ListBucketVersions']);
  });

  it('leaves the messaging API function without any delete on the bucket', () => {
    const api = functionId(FUNCTIONS.messaging.description)!;
    expect(statementsOf(api).flatMap(actionsOf).filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
  });
});
