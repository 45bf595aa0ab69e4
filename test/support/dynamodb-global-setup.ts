/**
 * vitest globalSetup: one in-memory DynamoDB Local for the whole run, on a free port.
 * Tests read its endpoint with `inject('dynamodbEndpoint')` (see test/support/dynamodb.ts).
 *
 * vitest runs a globalSetup once per project that lists it (and an inherited root globalSetup
 * once more for the root). Those calls share one process here, so a run costs one JVM
 * (~200 MB, a few seconds to start) however many projects use it; the last teardown stops it.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

interface Shared {
  instance: Promise<DynamoDbLocal>;
  users: number;
}

// On globalThis because vitest may load this module once per project.
const KEY = Symbol.for('carestack.test.dynamodbLocal');
const registry = globalThis as typeof globalThis & { [KEY]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (registry[KEY] ??= { instance: startDynamoDbLocal({ port: 0 }), users: 0 });
  shared.users += 1;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    shared.users -= 1;
    if (shared.users > 0) return;
    delete registry[KEY];
    await (await shared.instance.catch(() => undefined))?.stop();
  };
  try {
    const dynamodb = await shared.instance;
    project.provide('dynamodbEndpoint', dynamodb.endpoint);
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}
