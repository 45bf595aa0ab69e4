/**
 * Section 4: audit batching.
 * - Throughput: records per second through the audit handler (lambdas/audit/app.ts) with an
 *   in-memory sink, fed stream batches of the CDK app's batch size.
 * - Records per stored object: 10,000 changes written to a fresh table on DynamoDB Local, read by
 *   the real stream poller with the CDK app's batch size and batching window, handled by the real
 *   audit handler; objects counted at the sink.
 */
import { BatchWriteItemCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from 'ulid';
import { createAuditHandler } from '../lambdas/audit/app.js';
import { newItem, type WriteContext } from '../lambdas/shared/data/write-context.js';
import { createLogger } from '../lambdas/shared/logger.js';
import { AUDIT_STREAM_BATCHING } from '../lib/stateless/stream-consumers.js';
import { createTable } from '../local/dynamodb/create-table.js';
import { MemoryAuditStore } from '../local/memory-audit-store.js';
import { DYNAMODB_LOCAL_CREDENTIALS, DYNAMODB_LOCAL_REGION } from '../local/dynamodb/dynamodb-local.js';
import { createStreamPoller } from '../local/stream-poller.js';
import { median } from './lib/stats.js';

export interface AuditResult {
  batchSize: number;
  batchingWindowS: number;
  throughput: {
    records: number;
    runs: number;
    recordsPerSecondMedian: number;
    recordsPerSecondRuns: number[];
    /** Records per object the handler makes of full batches whose orgs interleave as above. */
    recordsPerObjectMixedOrgs: number;
    /** The same records, all of one org. */
    recordsPerObjectOneOrg: number;
  };
  batching: {
    changes: number;
    orgs: Record<string, number>;
    writeSeconds: number;
    deliverSeconds: number;
    invocations: number;
    recordsPerInvocation: number;
    objects: number;
    recordsStored: number;
    recordsPerObject: number;
    /** Write-ahead plans stored in the journal (one per batch with something to audit). */
    journalPlans: number;
  };
}

/** The in-memory bucket and journal, counting the audit objects it holds (not the plans). */
class MemorySink extends MemoryAuditStore {
  get auditObjects(): number {
    return this.auditKeys().length;
  }
  get auditBytes(): number {
    return this.auditKeys().reduce((n, k) => n + this.objects.get(k)!.length, 0);
  }
}

/** Four orgs of unequal activity, as a multi-tenant table sees them. */
const ORG_WEIGHTS: Array<[string, number]> = [
  ['sunrise-care', 0.5],
  ['harbor-health', 0.25],
  ['maple-respite', 0.15],
  ['cedar-concierge', 0.1],
];
const orgFor = (i: number) => {
  const x = ((i * 7919) % 1000) / 1000;
  let acc = 0;
  for (const [org, w] of ORG_WEIGHTS) if (x < (acc += w)) return org;
  return ORG_WEIGHTS[0]![0];
};

function ctxFor(orgId: string, i: number): WriteContext {
  return { orgId, actorId: `user-${i % 37}`, actorRoles: ['aide'], requestId: `bench-${i}`, source: 'api', now: new Date().toISOString() };
}

function changeItem(i: number, oneOrg = false) {
  const orgId = oneOrg ? ORG_WEIGHTS[0]![0] : orgFor(i);
  const patientId = `01HBENCHPAT${String(i % 400).padStart(15, '0')}`;
  const id = ulid();
  return newItem(
    { PK: `ORG#${orgId}#PAT#${patientId}`, SK: `INC#${id}`, GSI2PK: `ORG#${orgId}#INC`, GSI2SK: `${new Date().toISOString()}#${id}` },
    'Incident',
    { id, patientId, category: 'fall', severity: 'low', status: 'open', details: 'Benchmark change', occurredAt: new Date().toISOString() },
    ctxFor(orgId, i),
  );
}

function syntheticRecords(count: number, oneOrg = false): DynamoDBRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const item = changeItem(i, oneOrg);
    return {
      eventID: `evt-${i}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: marshall({ PK: item.PK, SK: item.SK }) as never,
        NewImage: marshall(item, { removeUndefinedValues: true }) as never,
        SequenceNumber: String(100000000000000000000n + BigInt(i)),
        SizeBytes: 500,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  });
}

export async function runAudit(opts: { client: DynamoDBClient; endpoint: string; changes: number; throughputRuns: number; log: (s: string) => void }): Promise<AuditResult> {
  const logger = createLogger('audit-bench', { level: 'ERROR' });
  const { batchSize, maxBatchingWindowSeconds } = AUDIT_STREAM_BATCHING;

  // Throughput of the handler alone.
  const records = syntheticRecords(opts.changes);
  const perSecond: number[] = [];
  for (let run = 0; run < opts.throughputRuns + 1; run++) {
    const handler = (() => {
      const store = new MemorySink();
      return createAuditHandler({ sink: store, journal: store, logger });
    })();
    const started = process.hrtime.bigint();
    for (let i = 0; i < records.length; i += batchSize) await handler({ Records: structuredClone(records.slice(i, i + batchSize)) });
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    if (run > 0) perSecond.push(records.length / s); // the first run warms up
  }
  opts.log(`audit: handler ${median(perSecond).toFixed(0)} records/s (median of ${perSecond.length})`);
  const objectsFor = async (recs: DynamoDBRecord[]) => {
    const sink = new MemorySink();
    const handler = createAuditHandler({ sink, journal: sink, logger });
    for (let i = 0; i < recs.length; i += batchSize) await handler({ Records: recs.slice(i, i + batchSize) });
    return recs.length / sink.auditObjects;
  };
  const recordsPerObjectMixedOrgs = await objectsFor(records);
  const recordsPerObjectOneOrg = await objectsFor(syntheticRecords(opts.changes, true));

  // Batching through the real poller.
  const tableName = `carestack-bench-audit-${Date.now()}`;
  await createTable(opts.client, tableName);
  const sink = new MemorySink();
  let invocations = 0;
  let delivered = 0;
  const handler = createAuditHandler({ sink, journal: sink, logger });
  const poller = createStreamPoller({
    endpoint: opts.endpoint,
    region: DYNAMODB_LOCAL_REGION,
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    tableName,
    consumers: [
      {
        name: 'audit',
        handler: async (event) => {
          invocations++;
          delivered += event.Records.length;
          return handler(event);
        },
        batchSize,
        maximumBatchingWindowMs: maxBatchingWindowSeconds * 1000,
      },
    ],
    logger: { info: () => undefined, warn: (m) => opts.log(`audit: poller: ${m}`), error: (m) => opts.log(`audit: poller: ${m}`) },
  });
  await poller.start();
  const orgs: Record<string, number> = {};
  try {
    const started = Date.now();
    let next = 0;
    // Four writers of 25 changes per call (BatchWriteItem): a busy multi-tenant table at ~1000
    // changes per second on DynamoDB Local, the load at which batches fill up. Single puts from
    // this process reach only ~100/s on a busy machine, which measures the 5 s window instead.
    const worker = async () => {
      while (next < opts.changes) {
        const start = next;
        next = Math.min(opts.changes, next + 25);
        let requests = Array.from({ length: next - start }, (_, k) => {
          const item = changeItem(start + k);
          orgs[String(item.orgId)] = (orgs[String(item.orgId)] ?? 0) + 1;
          return { PutRequest: { Item: marshall(item, { removeUndefinedValues: true }) } };
        });
        for (let attempt = 1; requests.length > 0; attempt++) {
          try {
            const out = await opts.client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
            requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          } catch (err) {
            // DynamoDB Local (not DynamoDB) times out on its table lock under load: try again.
            if (attempt >= 10 || !(err instanceof Error && err.name === 'InternalServerError')) throw err;
            await new Promise((r) => setTimeout(r, 50 * attempt));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const writeSeconds = (Date.now() - started) / 1000;
    // Wait for delivery the way Lambda would deliver: no forced flush (drain() would cut the
    // batching window short), just until every record has been handled.
    const deadline = Date.now() + 300_000;
    while (delivered < opts.changes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const deliverSeconds = (Date.now() - started) / 1000;
    const result: AuditResult['batching'] = {
      changes: opts.changes,
      orgs,
      writeSeconds,
      deliverSeconds,
      invocations,
      recordsPerInvocation: delivered / Math.max(1, invocations),
      objects: sink.auditObjects,
      journalPlans: sink.objects.size - sink.auditObjects,
      recordsStored: delivered,
      recordsPerObject: delivered / Math.max(1, sink.auditObjects),
    };
    opts.log(
      `audit: ${opts.changes} changes written in ${writeSeconds.toFixed(1)} s; ${invocations} invocations, ${sink.auditObjects} objects (+ ${sink.objects.size - sink.auditObjects} journal plans), ${result.recordsPerObject.toFixed(0)} records per object`,
    );
    return {
      batchSize,
      batchingWindowS: maxBatchingWindowSeconds,
      throughput: { records: records.length, runs: perSecond.length, recordsPerSecondMedian: median(perSecond), recordsPerSecondRuns: perSecond, recordsPerObjectMixedOrgs, recordsPerObjectOneOrg },
      batching: result,
    };
  } finally {
    await poller.stop();
    await opts.client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  }
}
