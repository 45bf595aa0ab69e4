import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTable } from '../../../local/dynamodb/create-table.js';
import {
  DYNAMODB_LOCAL_CREDENTIALS,
  DYNAMODB_LOCAL_REGION,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../../local/dynamodb/dynamodb-local.js';

const clientFor = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS });

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, exclusive: true }, () => resolve(server));
  });
}

describe('startDynamoDbLocal', () => {
  let dir: string;
  let running: DynamoDbLocal | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ddb-local-'));
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps data in dbPath across a restart, and frees its port on stop', async () => {
    const dbPath = path.join(dir, 'db');
    running = await startDynamoDbLocal({ dbPath });
    const { port } = running;
    let client = clientFor(running.endpoint);
    await createTable(client, 'persisted');
    await client.send(new PutItemCommand({ TableName: 'persisted', Item: { PK: { S: 'k' }, SK: { S: 'k' }, v: { S: 'kept' } } }));
    client.destroy();
    await running.stop();
    running = undefined;

    // The port is free again: the process is gone, not just detached.
    (await listen(port)).close();

    running = await startDynamoDbLocal({ dbPath, port });
    client = clientFor(running.endpoint);
    const { Item } = await client.send(new GetItemCommand({ TableName: 'persisted', Key: { PK: { S: 'k' }, SK: { S: 'k' } } }));
    client.destroy();
    expect(Item?.v).toEqual({ S: 'kept' });
  });

  it('says so when the port is taken', async () => {
    const server = await listen();
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await expect(startDynamoDbLocal({ port })).rejects.toThrow(`port ${port} is in use`);
    } finally {
      server.close();
    }
  });
});
