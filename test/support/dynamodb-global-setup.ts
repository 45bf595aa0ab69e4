/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole run, on a free port.
 * Tests read its endpoint with `inject('dynamodbEndpoint')` (see test/support/dynamodb.ts).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = await startDynamoDbLocal({ port: 0 });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
