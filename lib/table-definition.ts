/**
 * The single table, described once as plain data.
 *
 * The CDK table (lib/stateful) and the local stack's CreateTable (local/dynamodb) are both built
 * from this object, so the two can never disagree on keys, indexes or the stream view. It imports
 * nothing from aws-cdk-lib on purpose: the local stack loads it without the CDK.
 *
 * Key layout and access patterns: docs/data-model.md.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Overloaded global secondary indexes, all projecting every attribute. */
  globalSecondaryIndexes: [
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
  /** TTL attribute (epoch seconds). DynamoDB Local never expires items: the local stack sweeps them. */
  timeToLiveAttribute: 'expiresAt',
  /** The audit and events consumers need both images: the actor of a delete lives in the old one. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexName = (typeof TABLE_DEFINITION.globalSecondaryIndexes)[number]['indexName'];
