import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Db, decodeCursor, encodeCursor, failedPart, TransactionCancelledError } from '../../../../lambdas/shared/data/db.js';
import { ValidationError } from '../../../../lambdas/shared/errors.js';

const ddb = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const db = new Db(doc, 'table-1');

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
    ddb.on(QueryCommand).resolves({ Items: [{ id: 'p2' }], LastEvaluatedKey: { ...lastKey, GSI1SK: 'bob#p2' } });

    const page = await db.queryPage(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition.value } },
      { limit: 2, cursor: encodeCursor(lastKey) },
      partition,
    );

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { TableName: 'table-1', Limit: 2, ExclusiveStartKey: lastKey, IndexName: 'GSI1' });
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
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await db.transact({ item: db.put({ PK: 'a', SK: 'b' }) });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it('reports a failed condition by the name of its part, without retrying', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    const err = await db.transact({ first: db.put({ PK: 'a', SK: 'b' }), second: db.put({ PK: 'c', SK: 'd' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionCancelledError);
    expect((err as TransactionCancelledError).failed('second')).toBe(true);
    expect((err as TransactionCancelledError).failed('first')).toBe(false);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('names every item of a part that holds several, in request order', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));
    const err = (await db
      .transact({ head: db.put({ PK: 'a', SK: 'b' }), many: [db.put({ PK: 'c', SK: 'd' }), db.put({ PK: 'e', SK: 'f' })] })
      .catch((e: unknown) => e)) as TransactionCancelledError;
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.map((i) => i.Put!.Item!.PK)).toEqual(['a', 'c', 'e']);
    expect(err.reasons.map((r) => r.part)).toEqual(['head', 'many', 'many']);
    expect([err.failed('many'), err.failed('head'), err.conditionFailed]).toEqual([true, false, true]);
  });

  it('gives up on endless conflicts after the given attempts', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    await expect(db.transact({ item: db.put({ PK: 'a', SK: 'b' }) }, 3)).rejects.toThrow(TransactionCancelledError);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
  });

  it('passes other errors through unchanged', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    ddb.on(TransactWriteCommand).rejects(throttled);
    await expect(db.transact({ item: db.put({ PK: 'a', SK: 'b' }) })).rejects.toBe(throttled);
  });

  it('answers which named part failed its condition (failedPart), and nothing for any other error', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'ConditionalCheckFailed'));
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
    const recorded = new Db(doc, 'table-1', { onConsumedCapacity: (r) => reports.push(r) });
    ddb.on(QueryCommand).resolves({ Items: [], ConsumedCapacity: { TableName: 'table-1', CapacityUnits: 0.5, ReadCapacityUnits: 0.5 } });
    ddb.on(TransactWriteCommand).resolves({
      ConsumedCapacity: [
        { TableName: 'table-1', CapacityUnits: 4, WriteCapacityUnits: 4 },
        { TableName: 'table-2', CapacityUnits: 2, WriteCapacityUnits: 2 },
      ],
    });
    await recorded.queryPage({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'x' } }, { limit: 5 }, { attribute: 'PK', value: 'x' });
    await recorded.transact({ item: recorded.put({ PK: 'a', SK: 'b' }) });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.ReturnConsumedCapacity).toBe('TOTAL');
    expect(reports).toEqual([
      { operation: 'Query', readCapacityUnits: 0.5, writeCapacityUnits: 0, capacityUnits: 0.5 },
      { operation: 'TransactWriteItems', readCapacityUnits: 0, writeCapacityUnits: 6, capacityUnits: 6 },
    ]);
  });

  it('attributes a bare CapacityUnits (what DynamoDB Local returns for TOTAL) to reads or writes by operation', async () => {
    const reports: Array<{ readCapacityUnits: number; writeCapacityUnits: number }> = [];
    const recorded = new Db(doc, 'table-1', { onConsumedCapacity: (r) => reports.push(r) });
    ddb.on(QueryCommand).resolves({ Items: [], ConsumedCapacity: { TableName: 'table-1', CapacityUnits: 0.5 } });
    ddb.on(TransactWriteCommand).resolves({ ConsumedCapacity: [{ TableName: 'table-1', CapacityUnits: 4 }] });
    await recorded.queryPage({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'x' } }, { limit: 5 }, { attribute: 'PK', value: 'x' });
    await recorded.transact({ item: recorded.put({ PK: 'a', SK: 'b' }) });
    expect(reports.map((r) => [r.readCapacityUnits, r.writeCapacityUnits])).toEqual([[0.5, 0], [0, 4]]);
  });
});
