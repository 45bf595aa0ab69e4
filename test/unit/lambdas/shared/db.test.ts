import {
  DynamoDBClient,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import * as documentClient from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Db, decodeCursor, encodeCursor, failedPart, TransactionCancelledError } from '../../../../lambdas/shared/data/db.js';
import { ValidationError } from '../../../../lambdas/shared/errors.js';
import { startAwsEndpoint, type AwsEndpoint } from '../../../support/aws-endpoint.js';
import { offlineDynamoClient, sentTransactItems, wire } from '../../../support/dynamodb-mock.js';

const client = offlineDynamoClient();
// The instance, not the class: the wire tests below send through real clients to a local endpoint.
const ddb = mockClient(client);
const db = new Db(client, 'table-1');

beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

const partition = { attribute: 'GSI1PK', value: 'ORG#org-1#PATIENTS' };
const lastKey = { PK: 'ORG#org-1#PAT#p1', SK: 'PROFILE', GSI1PK: 'ORG#org-1#PATIENTS', GSI1SK: 'ada#p1' };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('cursors', () => {
  it('round-trips a LastEvaluatedKey through an opaque url-safe string', () => {
    const cursor = encodeCursor(lastKey);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, partition)).toEqual(lastKey);
  });

  it('rejects a forged cursor for another partition (another org\'s patients)', () => {
    const forged = encodeCursor({ ...lastKey, GSI1PK: 'ORG#org-2#PATIENTS' });
    expect(() => decodeCursor(forged, partition)).toThrow(ValidationError);
  });

  it('rejects a cursor of another table or index whose partition happens to match', () => {
    const tableKey = { PK: 'ORG#org-1#PAT#p1', SK: 'INC#1' };
    const fromIndex = encodeCursor({ ...tableKey, GSI2PK: 'ORG#org-1#INC', GSI2SK: 't#1' });
    const pk = { attribute: 'PK', value: tableKey.PK };
    expect(() => decodeCursor(fromIndex, pk, {})).toThrow(ValidationError);
    expect(decodeCursor(encodeCursor(tableKey), pk, {})).toEqual(tableKey);
    expect(() => decodeCursor(encodeCursor(tableKey), pk, { indexName: 'GSI2' })).toThrow(ValidationError);
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a JSON array', encodeCursor([] as unknown as Record<string, unknown>)],
    ['an empty object', encodeCursor({})],
    ['a non-key attribute', encodeCursor({ ...lastKey, medicalRecordNumber: 'X' })],
    ['a non-string key value', encodeCursor({ GSI1PK: 'ORG#org-1#PATIENTS', GSI1SK: 5 })],
  ])('rejects %s with a 400 naming the cursor', (_, cursor) => {
    const err = (() => {
      try {
        decodeCursor(cursor, partition);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 400, details: [{ path: 'cursor' }] });
  });
});

describe('Db.queryPage', () => {
  it('passes the decoded cursor and limit, and encodes the next one', async () => {
    ddb.on(QueryCommand).resolves({ Items: [wire({ id: 'p2' })], LastEvaluatedKey: wire({ ...lastKey, GSI1SK: 'bob#p2' }) });

    const page = await db.queryPage(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition.value } },
      { limit: 2, cursor: encodeCursor(lastKey) },
      partition,
    );

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'table-1',
      Limit: 2,
      ExclusiveStartKey: wire(lastKey),
      IndexName: 'GSI1',
      ExpressionAttributeValues: { ':pk': { S: partition.value } },
    });
    expect(page.items).toEqual([{ id: 'p2' }]);
    expect(decodeCursor(page.nextCursor!, partition)).toEqual({ ...lastKey, GSI1SK: 'bob#p2' });
  });

  it('answers nextCursor null on the last page', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const page = await db.queryPage({ KeyConditionExpression: 'x' }, { limit: 5 }, partition);
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('does not query at all with a forged cursor', async () => {
    const forged = encodeCursor({ ...lastKey, GSI1PK: 'ORG#org-2#PATIENTS' });
    await expect(db.queryPage({ KeyConditionExpression: 'x' }, { limit: 5, cursor: forged }, partition)).rejects.toThrow(ValidationError);
    expect(ddb).not.toHaveReceivedCommand(QueryCommand);
  });
});

describe('Db.transact', () => {
  it('retries a cancellation caused only by a concurrent transaction', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await db.transact({ item: db.put({ PK: 'a', SK: 'b' }) });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 2);
  });

  it('reports a failed condition by the name of its part, without retrying', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    const err = await db.transact({ first: db.put({ PK: 'a', SK: 'b' }), second: db.put({ PK: 'c', SK: 'd' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionCancelledError);
    expect((err as TransactionCancelledError).failed('second')).toBe(true);
    expect((err as TransactionCancelledError).failed('first')).toBe(false);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
  });

  it('names every item of a part that holds several, in request order', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    const err = (await db
      .transact({ head: db.put({ PK: 'a', SK: 'b' }), many: [db.put({ PK: 'c', SK: 'd' }), db.put({ PK: 'e', SK: 'f' })] })
      .catch((e: unknown) => e)) as TransactionCancelledError;
    expect(sentTransactItems(ddb).map((i) => i.Put!.Item!.PK)).toEqual(['a', 'c', 'e']);
    expect(err.reasons.map((r) => r.part)).toEqual(['head', 'many', 'many']);
    expect([err.failed('many'), err.failed('head'), err.conditionFailed]).toEqual([true, false, true]);
  });

  it('gives up on endless conflicts after the given attempts', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled('TransactionConflict'));
    await expect(db.transact({ item: db.put({ PK: 'a', SK: 'b' }) }, 3)).rejects.toThrow(TransactionCancelledError);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 3);
  });

  it('passes other errors through unchanged', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(TransactWriteItemsCommand).rejects(throttled);
    await expect(db.transact({ item: db.put({ PK: 'a', SK: 'b' }) })).rejects.toBe(throttled);
  });

  it('answers which named part failed its condition (failedPart), and nothing for any other error', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'));
    const err = await db
      .transact({ patient: db.put({ PK: 'a', SK: 'b' }), plan: db.put({ PK: 'c', SK: 'd' }), pointer: db.put({ PK: 'e', SK: 'f' }) })
      .catch((e: unknown) => e);
    expect(failedPart(err, ['patient', 'pointer', 'plan'])).toBe('pointer');
    expect(failedPart(err, ['patient'])).toBeUndefined();
    expect(failedPart(new Error('ConditionalCheckFailed'), ['patient', 'plan'])).toBeUndefined();
  });

  it('fills in the table name on every transaction item', () => {
    expect(db.put({ PK: 'a', SK: 'b' }, { ConditionExpression: 'attribute_not_exists(PK)' })).toEqual({
      Put: { TableName: 'table-1', Item: { PK: 'a', SK: 'b' }, ConditionExpression: 'attribute_not_exists(PK)' },
    });
    expect(db.delete({ Key: { PK: 'a', SK: 'b' } }).Delete?.TableName).toBe('table-1');
    expect(db.conditionCheck({ Key: { PK: 'a', SK: 'b' }, ConditionExpression: 'x' }).ConditionCheck?.TableName).toBe('table-1');
    expect(db.update({ Key: { PK: 'a', SK: 'b' }, UpdateExpression: 'SET x = :x' }).Update?.TableName).toBe('table-1');
  });
});

describe('consumed capacity recorder', () => {
  it('asks for nothing and reports nothing when no recorder is set', async () => {
    ddb.on(QueryCommand).resolves({ Items: [], ConsumedCapacity: { TableName: 'table-1', CapacityUnits: 0.5 } });
    await db.queryPage({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'x' } }, { limit: 5 }, { attribute: 'PK', value: 'x' });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).not.toHaveProperty('ReturnConsumedCapacity');
  });

  it('requests TOTAL capacity and reports each call, summing a transaction\'s tables', async () => {
    const reports: unknown[] = [];
    const recorded = new Db(client, 'table-1', { onConsumedCapacity: (r) => reports.push(r) });
    ddb.on(QueryCommand).resolves({ Items: [], ConsumedCapacity: { TableName: 'table-1', CapacityUnits: 0.5, ReadCapacityUnits: 0.5 } });
    ddb.on(TransactWriteItemsCommand).resolves({
      ConsumedCapacity: [
        { TableName: 'table-1', CapacityUnits: 4, WriteCapacityUnits: 4 },
        { TableName: 'table-2', CapacityUnits: 2, WriteCapacityUnits: 2 },
      ],
    });
    await recorded.queryPage({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'x' } }, { limit: 5 }, { attribute: 'PK', value: 'x' });
    await recorded.transact({ item: recorded.put({ PK: 'a', SK: 'b' }) });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    expect(ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    expect(reports).toEqual([
      { operation: 'Query', readCapacityUnits: 0.5, writeCapacityUnits: 0, capacityUnits: 0.5 },
      { operation: 'TransactWriteItems', readCapacityUnits: 0, writeCapacityUnits: 6, capacityUnits: 6 },
    ]);
  });

  it('attributes a bare CapacityUnits (what DynamoDB Local returns for TOTAL) to reads or writes by operation', async () => {
    const reports: Array<{ readCapacityUnits: number; writeCapacityUnits: number }> = [];
    const recorded = new Db(client, 'table-1', { onConsumedCapacity: (r) => reports.push(r) });
    ddb.on(QueryCommand).resolves({ Items: [], ConsumedCapacity: { TableName: 'table-1', CapacityUnits: 0.5 } });
    ddb.on(TransactWriteItemsCommand).resolves({ ConsumedCapacity: [{ TableName: 'table-1', CapacityUnits: 4 }] });
    await recorded.queryPage({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'x' } }, { limit: 5 }, { attribute: 'PK', value: 'x' });
    await recorded.transact({ item: recorded.put({ PK: 'a', SK: 'b' }) });
    expect(reports.map((r) => [r.readCapacityUnits, r.writeCapacityUnits])).toEqual([[0.5, 0], [0, 4]]);
  });
});

/**
 * The Db marshals itself (util-dynamodb) where the document client of @aws-sdk/lib-dynamodb did it
 * in middleware. Both send the same document-form requests to one local endpoint (SigV4 checked),
 * and what each puts on the wire is compared, parsed; answers come back as the same plain values.
 */
describe('wire shape, as the document client had it', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wire-secret' };
  let endpoint: AwsEndpoint;
  let wireDb: Db;
  let doc: documentClient.DynamoDBDocumentClient;
  const bodies = (from = 0) => endpoint.seen.slice(from).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  const target = (i: number) => endpoint.seen[i]!.headers['x-amz-target'];

  beforeAll(async () => {
    endpoint = await startAwsEndpoint(credentials.secretAccessKey);
    const real = () => new DynamoDBClient({ endpoint: endpoint.url, region: 'eu-west-2', credentials, maxAttempts: 1 });
    wireDb = new Db(real(), 'table-1');
    doc = documentClient.DynamoDBDocumentClient.from(real(), { marshallOptions: { removeUndefinedValues: true } });
  });
  beforeEach(() => {
    endpoint.seen.length = 0;
    endpoint.respond(() => ({ status: 200, body: {} }));
  });
  afterAll(async () => endpoint.close());

  const item = {
    PK: 'ORG#org-1#PAT#p1',
    SK: 'PROFILE',
    profile: { name: 'Ada', address: { city: 'Leeds', line2: undefined }, allergies: [] },
    tags: ['a', 1, true, null, { k: 'v' }],
    version: 3,
    ratio: 0.25,
    active: true,
    archived: false,
    deletedAt: null,
    nickname: undefined,
    empty: '',
  };
  const itemOnWire = {
    PK: { S: 'ORG#org-1#PAT#p1' },
    SK: { S: 'PROFILE' },
    profile: { M: { name: { S: 'Ada' }, address: { M: { city: { S: 'Leeds' } } }, allergies: { L: [] } } },
    tags: { L: [{ S: 'a' }, { N: '1' }, { BOOL: true }, { NULL: true }, { M: { k: { S: 'v' } } }] },
    version: { N: '3' },
    ratio: { N: '0.25' },
    active: { BOOL: true },
    archived: { BOOL: false },
    deletedAt: { NULL: true },
    empty: { S: '' },
  };

  it('puts an item with a nested map, a list, numbers, booleans, null and undefined fields as the document client did', async () => {
    await wireDb.putItem(item);
    await doc.send(new documentClient.PutCommand({ TableName: 'table-1', Item: item }));

    const [mine, theirs] = bodies();
    expect(endpoint.seen.every((r) => r.valid)).toBe(true);
    expect([target(0), target(1)]).toEqual(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.PutItem']);
    expect(mine).toEqual({ TableName: 'table-1', Item: itemOnWire });
    expect(mine).toEqual(theirs);
  });

  it('sends the four kinds of transaction item, with their keys and expression values, as the document client did', async () => {
    const parts = {
      patient: wireDb.conditionCheck({ Key: { PK: 'ORG#org-1#PAT#p1', SK: 'PROFILE' }, ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': 3 } }),
      profile: wireDb.put(item, { ConditionExpression: 'attribute_not_exists(PK) OR #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'active', ':unused': undefined } }),
      counter: wireDb.update({ Key: { PK: 'ORG#org-1', SK: 'COUNTS' }, UpdateExpression: 'SET #n = #n + :one, #l = :list', ExpressionAttributeNames: { '#n': 'n', '#l': 'l' }, ExpressionAttributeValues: { ':one': 1, ':list': [{ at: '2026-12-07', by: 'u-1' }] } }),
      old: wireDb.delete({ Key: { PK: 'ORG#org-1#PAT#p1', SK: 'OLD' }, ConditionExpression: 'attribute_exists(PK)' }),
    };
    await wireDb.transact(parts);
    await doc.send(new documentClient.TransactWriteCommand({ TransactItems: Object.values(parts) }));

    // The SDK fills in an idempotency token (a fresh UUID) for each: compared apart.
    const [mine, theirs] = bodies().map(({ ClientRequestToken, ...rest }) => {
      expect(ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
      return rest;
    });
    expect(mine).toEqual(theirs);
    const items = (mine as { TransactItems: Array<Record<string, Record<string, unknown>>> }).TransactItems;
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['ConditionCheck', 'Put', 'Update', 'Delete']);
    expect(items[0]!.ConditionCheck!.ExpressionAttributeValues).toEqual({ ':v': { N: '3' } });
    expect(items[1]!.Put!.Item).toEqual(itemOnWire);
    expect(items[1]!.Put!.ExpressionAttributeValues).toEqual({ ':s': { S: 'active' } });
    expect(items[2]!.Update!.ExpressionAttributeValues).toEqual({ ':one': { N: '1' }, ':list': { L: [{ M: { at: { S: '2026-12-07' }, by: { S: 'u-1' } } }] } });
    expect(items[3]!.Delete!.Key).toEqual({ PK: { S: 'ORG#org-1#PAT#p1' }, SK: { S: 'OLD' } });
  });

  it('queries with a cursor and answers Items and LastEvaluatedKey as plain values, the cursor byte for byte the document client\'s', async () => {
    const key = { PK: 'ORG#org-1#PAT#p1', SK: 'PROFILE', GSI1PK: 'ORG#org-1#PATIENTS', GSI1SK: 'ada#p1' };
    const next = { ...key, PK: 'ORG#org-1#PAT#p2', GSI1SK: 'bob#p2' };
    endpoint.respond(() => ({ status: 200, body: { Items: [itemOnWire, { PK: { S: 'x' }, n: { N: '-12.5' }, big: { N: '9007199254740991' } }], LastEvaluatedKey: wire(next), Count: 2, ScannedCount: 2 } }));
    const input = { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :p)', ExpressionAttributeValues: { ':pk': partition.value, ':p': 'a' } };

    const page = await wireDb.queryPage(input, { limit: 2, cursor: encodeCursor(key) }, partition);
    const out = await doc.send(new documentClient.QueryCommand({ ...input, TableName: 'table-1', Limit: 2, ExclusiveStartKey: key }));

    const [mine, theirs] = bodies();
    expect(mine).toEqual(theirs);
    expect(mine).toMatchObject({ ExclusiveStartKey: wire(key), ExpressionAttributeValues: { ':pk': { S: partition.value }, ':p': { S: 'a' } } });
    expect(page.items).toEqual(out.Items);
    const { nickname: _, ...stored } = item;
    expect(page.items).toEqual([{ ...stored, profile: { name: 'Ada', address: { city: 'Leeds' }, allergies: [] } }, { PK: 'x', n: -12.5, big: 9007199254740991 }]);
    expect(typeof (page.items[0] as { version: unknown }).version).toBe('number');
    expect(page.nextCursor).toBe(encodeCursor(out.LastEvaluatedKey!));
    expect(decodeCursor(page.nextCursor!, partition)).toEqual(next);
  });

  it('queries every page, re-sending each LastEvaluatedKey as DynamoDB gave it', async () => {
    const last = { PK: { S: 'ORG#org-1#TEAM' }, SK: { S: 'MEMBER#u-1' } };
    endpoint.respond(() =>
      endpoint.seen.length === 1 ? { status: 200, body: { Items: [wire({ id: 'u-1', n: 1 })], LastEvaluatedKey: last } } : { status: 200, body: { Items: [wire({ id: 'u-2', n: 2 })] } },
    );
    const all = await wireDb.queryAll({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'ORG#org-1#TEAM' } });
    expect(all).toEqual([{ id: 'u-1', n: 1 }, { id: 'u-2', n: 2 }]);
    const [first, second] = bodies();
    expect(first).not.toHaveProperty('ExclusiveStartKey');
    expect(second).toEqual({ ...first, ExclusiveStartKey: last });
  });

  it('gets by key and batch-gets, re-sending unprocessed keys as they came back', async () => {
    const unprocessed = [{ PK: { S: 'ORG#org-1#USER#u-2' }, SK: { S: 'PROFILE' } }];
    endpoint.respond((req) => {
      const op = String(req.headers['x-amz-target']).split('.')[1];
      if (op === 'GetItem') return { status: 200, body: { Item: wire({ PK: 'k', SK: 's', version: 7, flags: ['x'] }) } };
      const batch = endpoint.seen.filter((r) => String(r.headers['x-amz-target']).endsWith('.BatchGetItem')).length;
      return batch === 1
        ? { status: 200, body: { Responses: { 'table-1': [wire({ id: 'u-1', version: 1 })] }, UnprocessedKeys: { 'table-1': { Keys: unprocessed } } } }
        : { status: 200, body: { Responses: { 'table-1': [wire({ id: 'u-2', version: 2 })] }, UnprocessedKeys: {} } };
    });

    expect(await wireDb.get({ PK: 'k', SK: 's' }, true)).toEqual({ PK: 'k', SK: 's', version: 7, flags: ['x'] });
    const keys = [{ PK: 'ORG#org-1#USER#u-1', SK: 'PROFILE' }, { PK: 'ORG#org-1#USER#u-2', SK: 'PROFILE' }];
    expect(await wireDb.batchGet(keys)).toEqual([{ id: 'u-1', version: 1 }, { id: 'u-2', version: 2 }]);
    const ours = bodies();
    endpoint.seen.length = 0;
    endpoint.respond(() => ({ status: 200, body: {} }));
    await doc.send(new documentClient.GetCommand({ TableName: 'table-1', Key: { PK: 'k', SK: 's' }, ConsistentRead: true }));
    await doc.send(new documentClient.BatchGetCommand({ RequestItems: { 'table-1': { Keys: keys } } }));

    expect(ours.slice(0, 2)).toEqual(bodies());
    expect(ours[2]).toEqual({ RequestItems: { 'table-1': { Keys: unprocessed } } });
  });

  it('reads a cancelled transaction\'s reasons by part, with a returned item unmarshalled', async () => {
    endpoint.respond(() => ({
      status: 400,
      headers: { 'x-amzn-errortype': 'TransactionCanceledException:' },
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: wire({ PK: 'c', SK: 'd', version: 2 }) }],
      },
    }));
    const err = (await wireDb.transact({ first: wireDb.put({ PK: 'a', SK: 'b' }), second: wireDb.put({ PK: 'c', SK: 'd' }) }).catch((e: unknown) => e)) as TransactionCancelledError;
    expect(err).toBeInstanceOf(TransactionCancelledError);
    expect(err.reasons).toEqual([
      { part: 'first', code: 'None' },
      { part: 'second', code: 'ConditionalCheckFailed', item: { PK: 'c', SK: 'd', version: 2 } },
    ]);
  });
});
