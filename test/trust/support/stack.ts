/**
 * One local stack per trust suite, started in-process like test/e2e/foundation.test.ts, with every
 * demo user signed in once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_CREDENTIALS, DYNAMODB_LOCAL_REGION, startDynamoDbLocal } from '../../../local/dynamodb/dynamodb-local.js';
import type { InvokeResponse } from '../../../local/gateway.js';
import type { DemoUser } from '../../../local/seed.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../../local/stack.js';
import type { Role } from '../../../schemas/roles.js';
import { apiClient, signIn } from '../../support/client.js';
import type { Json } from '../../support/json.js';

export type Org = 'own' | 'other';

export interface TrustStack {
  stack: LocalStack;
  tableName: string;
  /** Over HTTP. */
  api: ReturnType<typeof apiClient>;
  /** In-process through the gateway's request path; the body is parsed JSON when there is one. */
  call(token: string | undefined, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Json; headers: Record<string, string> }>;
  /** Tokens of the seeded users, by org and role (the other org has admin, coordinator and aide). */
  token(role: Role, org?: Org): string;
  user(role: Role, org?: Org): DemoUser;
  /** Signs a user in (for users created by a suite). */
  signIn(email: string, password: string): Promise<string>;
  /** Items in the table (a Scan: fine in a test, never in runtime code). */
  countItems(): Promise<number>;
  stop(): Promise<void>;
}

export async function startTrustStack(name: string, options: Partial<LocalStackOptions> = {}): Promise<TrustStack> {
  // The handlers' per-request INFO lines would drown the figures the suites print.
  process.env.LOG_LEVEL ??= 'ERROR';
  const dataDir = await mkdtemp(path.join(tmpdir(), `carestack-trust-${name}-`));
  // A DynamoDB Local of its own (in memory), not the project's shared one: DynamoDB Local grows
  // slower with every table and stream it has served, deleted ones included. The REST authorisation
  // matrix took 45 s as the first trust file and 149-297 s after the GraphQL matrix and the audit
  // faults on the same instance; a JVM starts in a few seconds.
  const ddb = await startDynamoDbLocal({ port: 0 });
  const endpoint = ddb.endpoint;
  const tableName = `trust-${name}-${Date.now()}`;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir,
      inMemory: true,
      ports: { api: 0, cognito: 0, graphql: 0 },
      dynamodbEndpoint: endpoint,
      tableName,
      quiet: true,
      ...options,
    });
  } catch (error) {
    await ddb.stop();
    throw error;
  }
  const demo = stack.demoUsers!;
  const tokens = new Map<string, string>();
  const users = new Map<string, DemoUser>();
  await Promise.all(
    (['own', 'other'] as const).flatMap((org) =>
      (org === 'own' ? demo.users : demo.otherOrg.users).map(async (u) => {
        users.set(`${org}:${u.role}`, u);
        tokens.set(`${org}:${u.role}`, await signIn(stack.outputs, u.email, u.password));
      }),
    ),
  );
  const dynamo = new DynamoDBClient({ endpoint, region: DYNAMODB_LOCAL_REGION, credentials: DYNAMODB_LOCAL_CREDENTIALS });

  return {
    stack,
    tableName,
    api: apiClient(stack.outputs),
    async call(token, method, url, body, headers = {}) {
      const raw: string[] = [];
      if (token) raw.push('Authorization', `Bearer ${token}`);
      if (body !== undefined) raw.push('Content-Type', 'application/json');
      for (const [k, v] of Object.entries(headers)) raw.push(k, v);
      const res: InvokeResponse = await stack.invoke({
        method,
        url,
        rawHeaders: raw,
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
    },
    token(role, org = 'own') {
      const t = tokens.get(`${org}:${role}`);
      if (!t) throw new Error(`no signed-in ${role} in the ${org} org`);
      return t;
    },
    user(role, org = 'own') {
      const u = users.get(`${org}:${role}`);
      if (!u) throw new Error(`no ${role} in the ${org} org`);
      return u;
    },
    signIn: (email, password) => signIn(stack.outputs, email, password),
    async countItems() {
      let count = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: start }));
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      return count;
    },
    async stop() {
      await stack.stop();
      dynamo.destroy();
      await ddb.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i]!, i);
      }
    }),
  );
}
