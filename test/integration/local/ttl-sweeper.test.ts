import { GetItemCommand, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTtlSweeper } from '../../../local/ttl-sweeper.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';

describe('TTL sweeper on DynamoDB Local', () => {
  let table: TestTable;
  const nowSeconds = 1_900_000_000;
  const clock = { current: new Date(nowSeconds * 1000), now() { return this.current; } };

  beforeEach(async () => {
    table = await createTestTable('ttl');
    clock.current = new Date(nowSeconds * 1000);
  });
  afterEach(() => table.drop());

  const put = (sk: string, expiresAt?: AttributeValue) =>
    table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { PK: { S: 'SESSION' }, SK: { S: sk }, ...(expiresAt ? { expiresAt } : {}) },
      }),
    );

  async function remainingKeys(): Promise<string[]> {
    const { Items = [] } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    return Items.map((item) => item.SK!.S!).sort();
  }

  it('deletes only items whose expiresAt is at or before now', async () => {
    await put('expired-long-ago', { N: String(nowSeconds - 3600) });
    await put('expires-now', { N: String(nowSeconds) });
    await put('expires-later', { N: String(nowSeconds + 1) });
    await put('no-ttl');
    await put('ttl-not-a-number', { S: String(nowSeconds - 3600) });
    const sweeper = createTtlSweeper({ client: table.client, tableName: table.tableName, clock });

    await expect(sweeper.sweepOnce()).resolves.toBe(2);

    expect(await remainingKeys()).toEqual(['expires-later', 'no-ttl', 'ttl-not-a-number']);
    await expect(sweeper.sweepOnce()).resolves.toBe(0);
  });

  it('follows the clock it is given when running on an interval', async () => {
    await put('expires-in-an-hour', { N: String(nowSeconds + 3600) });
    const sweeper = createTtlSweeper({ client: table.client, tableName: table.tableName, clock, intervalMs: 20 });
    sweeper.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await remainingKeys()).toEqual(['expires-in-an-hour']);

      clock.current = new Date((nowSeconds + 3600) * 1000);
      await expect
        .poll(async () => {
          const { Item } = await table.client.send(
            new GetItemCommand({ TableName: table.tableName, Key: { PK: { S: 'SESSION' }, SK: { S: 'expires-in-an-hour' } } }),
          );
          return Item;
        }, { timeout: 2000, interval: 20 })
        .toBeUndefined();
    } finally {
      await sweeper.stop();
    }
  });
});
