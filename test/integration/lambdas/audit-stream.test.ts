/**
 * The audit trail from the real stream: identity writes on DynamoDB Local, the table's stream read
 * back, and the audit handler run over those records into an in-memory write-once sink. Shows that
 * what the repositories write is enough for every audit row to name its actor.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditHandler } from '../../../lambdas/audit/app.js';
import { createIdentityHandler } from '../../../lambdas/identity/app.js';
import type { UserDirectory } from '../../../lambdas/identity/user-directory.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { MemoryAuditStore } from '../../../local/memory-audit-store.js';
import { createTestTable, testDynamoConfig, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger, type EventSpec, type TestCaller } from '../../unit/lambdas/support/api-events.js';

const directory: UserDirectory = { createLogin: async () => ({ userId: randomUUID() }), deleteLogin: async () => undefined };

let table: TestTable;
let streams: DynamoDBStreamsClient;

beforeAll(async () => {
  table = await createTestTable('audit-stream-it');
  streams = new DynamoDBStreamsClient(testDynamoConfig());
});

afterAll(async () => {
  streams?.destroy();
  await table?.drop();
});

/** Every record on the table's stream so far, oldest first, in the shape Lambda is given. */
async function readStream(): Promise<DynamoDBRecord[]> {
  const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let iterator = (
      await streams.send(new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))
    ).ShardIterator;
    for (let i = 0; iterator && i < 20; i++) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(out.Records ?? []));
      if (!out.Records?.length) break;
      iterator = out.NextShardIterator;
    }
  }
  return records as unknown as DynamoDBRecord[];
}


describe('audit rows from the identity function\'s stream', () => {
  it('names the actor and request of each create, read, update and delete, and skips storage items', async () => {
    const orgId = `org-${randomUUID()}`;
    const admin: TestCaller = { userId: 'admin-a', orgId, roles: ['admin'] };
    const coordinator: TestCaller = { userId: 'coord-c', orgId, roles: ['coordinator'] };
    const handler = createIdentityHandler({
      db: new Db(table.client, table.tableName),
      directory,
      clock: fixedClock('2025-03-01T10:00:00.000Z'),
      logger: silentLogger(),
    });
    const call = async (caller: TestCaller, route: string, opts: Omit<EventSpec, 'route' | 'caller'>) => {
      const res = await handler(apiEvent({ route, caller, ...opts }), lambdaContext());
      expect(res.statusCode, res.body).toBeLessThan(300);
      return bodyOf(res);
    };

    const patient = await call(coordinator, 'POST /patients', {
      body: { displayName: 'Ada', medicalRecordNumber: 'MRN-A1' },
      headers: { 'Idempotency-Key': 'k' },
      requestId: 'r-create',
    });
    const aide = await call(admin, 'POST /users', { body: { email: 'aide@example.test', displayName: 'Aide', role: 'aide' }, requestId: 'r-user' });
    await call(coordinator, 'PATCH /patients/{patientId}', { pathParameters: { patientId: patient.id }, body: { version: 1, room: '4' }, requestId: 'r-patch' });
    const path = { patientId: patient.id, userId: aide.userId };
    await call(coordinator, 'PUT /patients/{patientId}/care-team/{userId}', { pathParameters: path, body: { relationship: 'aide' }, requestId: 'r-add' });
    const aideCaller: TestCaller = { userId: aide.userId, orgId, roles: ['aide'] };
    await call(aideCaller, 'GET /patients/{patientId}', { pathParameters: { patientId: patient.id }, requestId: 'r-read' });
    await call(admin, 'DELETE /patients/{patientId}/care-team/{userId}', { pathParameters: path, requestId: 'r-remove' });

    const records = await readStream();
    const sink = new MemoryAuditStore();
    const out = await createAuditHandler({ sink, journal: sink, logger: silentLogger() })({ Records: records });

    expect(out).toEqual({ batchItemFailures: [] });
    const rows = sink.rows().filter((r) => r.org_id === orgId);
    const summary = rows.map((r) => [r.action, r.entity_type, r.actor_id, r.request_id]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['create', 'Patient', 'coord-c', 'r-create'],
        ['create', 'User', 'admin-a', 'r-user'],
        ['update', 'Patient', 'coord-c', 'r-patch'],
        ['create', 'CareTeamMember', 'coord-c', 'r-add'],
        ['read', 'Patient', aide.userId, 'r-read'],
        ['delete', 'CareTeamMember', 'admin-a', 'r-remove'],
      ]),
    );
    expect(rows).toHaveLength(6); // no MrnClaim, no IdempotencyRecord, no row for the marking write
    expect(rows.find((r) => r.action === 'update')?.changed_fields).toEqual(['room']);
    expect(rows.find((r) => r.action === 'delete')).toMatchObject({ actor_roles: ['admin'], patient_id: patient.id, entity_id: aide.userId });
    const [planKey, ...others] = [...sink.objects.keys()].filter((k) => !k.startsWith('audit/'));
    expect(planKey).toMatch(/^audit-journal\/\d{40}-\d{40}\.json\.gz$/); // the batch's write-ahead plan
    expect(others).toEqual([]);
    expect(sink.auditKeys().every((k) => k.startsWith(`audit/org=${orgId}/dt=2025-03-01/`))).toBe(true);
  });
});
