/**
 * The local stack as the end-to-end suites start it: in process, in memory, on free ports, on the
 * run's shared DynamoDB Local (its own table), quiet; stopped, its folder removed and its table
 * dropped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import { signIn } from './client.js';
import { dropTable } from './dynamodb.js';

/** Each started stack's table, dropped when it stops. */
const tables = new WeakMap<LocalStack, string>();

export async function startTestStack(name: string, options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `carestack-${name}-`));
  const tableName = options.tableName ?? `${name}-${Date.now()}`;
  const stack = await startLocalStack({
    dataDir,
    inMemory: true,
    ports: { api: 0, cognito: 0, graphql: 0 },
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    quiet: true,
    ...options,
    tableName,
  });
  tables.set(stack, tableName);
  return stack;
}

export async function stopTestStack(stack: LocalStack | undefined): Promise<void> {
  if (!stack) return;
  await stack.stop();
  await rm(stack.dataDir, { recursive: true, force: true });
  const table = tables.get(stack);
  if (table) await dropTable(table);
}

/** An ID token for every demo user, keyed by role (`admin`, ...) and `<role>@other` for the other org. */
export async function signInDemoUsers(stack: LocalStack): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  const demo = stack.demoUsers!;
  for (const u of demo.users) tokens[u.role] = await signIn(stack.outputs, u.email, u.password);
  for (const u of demo.otherOrg.users) tokens[`${u.role}@other`] = await signIn(stack.outputs, u.email, u.password);
  return tokens;
}
