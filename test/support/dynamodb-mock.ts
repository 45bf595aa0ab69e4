/**
 * What unit tests need around `mockClient(DynamoDBClient)` (aws-sdk-client-mock) now that the Db
 * sends client-dynamodb commands with marshalled values: a client that never reaches the network,
 * values in DynamoDB's wire form to answer with and match against, and a sent transaction read back
 * in plain form. The marshalling is util-dynamodb's with the Db's option (undefined left out); the
 * Db's own wire shape is pinned against the document client in test/unit/lambdas/shared/db.test.ts.
 */
import { DynamoDBClient, TransactWriteItemsCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { TransactItem } from '../../lambdas/shared/data/db.js';

/** A DynamoDB client for a Db under `mockClient(DynamoDBClient)`: the mock answers every send. */
export const offlineDynamoClient = (): DynamoDBClient =>
  new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

/** Plain values (an item, a key, expression values) as DynamoDB sends and receives them. */
export const wire = (values: Record<string, unknown>): Record<string, AttributeValue> => marshall(values, { removeUndefinedValues: true });

/** DynamoDB's attribute values back as plain values. */
export const plain = (attributes: Record<string, AttributeValue>): Record<string, unknown> => unmarshall(attributes);

/** One transaction action with its value members back in plain form; members it did not have stay absent. */
function plainAction<A extends object>(action: A): A {
  const out: Record<string, unknown> = { ...(action as Record<string, unknown>) };
  for (const member of ['Key', 'Item', 'ExpressionAttributeValues'] as const) {
    const value = (action as Record<string, unknown>)[member];
    if (value) out[member] = plain(value as Record<string, AttributeValue>);
  }
  return out as A;
}

/**
 * The items of the `call`-th TransactWriteItems the mock received, with keys, items and expression
 * values in plain form: the shape the repository built (`db.put`, `db.update`, ...).
 */
export function sentTransactItems(mock: AwsClientStub<DynamoDBClient>, call = 0): TransactItem[] {
  const sent = mock.commandCalls(TransactWriteItemsCommand)[call];
  if (!sent) throw new Error(`no TransactWriteItems call #${call} (${mock.commandCalls(TransactWriteItemsCommand).length} sent)`);
  return (sent.args[0].input.TransactItems ?? []).map((item) => {
    const out: Record<string, unknown> = {};
    for (const [kind, action] of Object.entries(item)) out[kind] = action === undefined ? action : plainAction(action as object);
    return out;
  });
}
