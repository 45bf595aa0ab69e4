/**
 * Helpers for tests that run against the DynamoDB Local started by dynamodb-global-setup.ts.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createTable } from '../../local/dynamodb/create-table.js';
import { DYNAMODB_LOCAL_CREDENTIALS, DYNAMODB_LOCAL_REGION } from '../../local/dynamodb/dynamodb-local.js';

export interface TestTable {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Deletes the table; call it in afterAll/afterEach. */
  drop(): Promise<void>;
}

/** Endpoint of the run's DynamoDB Local; fails clearly when the globalSetup is not wired. */
export function dynamodbEndpoint(): string {
  const endpoint = inject('dynamodbEndpoint');
  if (!endpoint) {
    throw new Error('No DynamoDB Local: add test/support/dynamodb-global-setup.ts to this project\'s globalSetup');
  }
  return endpoint;
}

/** Client config (endpoint, region, fake credentials) for any SDK client of DynamoDB Local. */
export function testDynamoConfig() {
  return { endpoint: dynamodbEndpoint(), region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS };
}

export function testDynamoClient(): DynamoDBClient {
  return new DynamoDBClient(testDynamoConfig());
}

/** Creates a fresh table, named `<prefix>-<random>`, with the real keys, indexes, stream and TTL. */
export async function createTestTable(prefix: string): Promise<TestTable> {
  const client = testDynamoClient();
  const tableName = `${prefix}-${randomUUID()}`;
  await createTable(client, tableName);
  return {
    tableName,
    client,
    endpoint: dynamodbEndpoint(),
    async drop() {
      try {
        await deleteTable(client, tableName);
      } finally {
        client.destroy();
      }
    },
  };
}

/**
 * Deletes a table of the run's DynamoDB Local (gone already is fine): every suite drops what it
 * made, since the files of one project share one DynamoDB Local. Dropping does not undo all of it:
 * the instance still grows slower with what it has served (deleted tables included), which is why
 * the heavy trust files start their own (test/trust/support/stack.ts).
 */
export async function dropTable(tableName: string): Promise<void> {
  const client = testDynamoClient();
  try {
    await deleteTable(client, tableName);
  } finally {
    client.destroy();
  }
}

async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
}
