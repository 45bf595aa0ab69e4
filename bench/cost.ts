/**
 * Section 2: cost per request as data grows. The table is filled to each size with items shaped
 * like other tenants' and other patients' data (patients, care-team links, incidents,
 * notifications, access records, spread over many orgs and patients, a tenth in the measured org),
 * then each route is called `requests` times one at a time: consumed capacity per request (from
 * the Db's onConsumedCapacity recorder in the stack process) and latency.
 *
 * Filler items carry no `entityType`: they stand for data that already exists, so the stream
 * consumers skip them instead of auditing 100k "new" records in the middle of the measurement.
 */
import { BatchWriteItemCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { httpLoad, type LoadStats } from './lib/load.js';
import { checkRoute, type BenchEnv } from './lib/setup.js';

export interface CostPoint {
  tableItems: number;
  route: string;
  readCapacityUnitsPerRequest: number;
  writeCapacityUnitsPerRequest: number;
  callsPerRequest: Record<string, number>;
  latency: LoadStats;
}

const PAD = 'x'.repeat(300);

/** The n-th filler item: a realistic key and size, in another org or another patient of the org. */
function fillerItem(n: number, measuredOrg: string): Record<string, unknown> {
  const sameOrg = n % 10 === 0;
  const org = sameOrg ? measuredOrg : `bench-org-${String(Math.floor(n / 5000)).padStart(4, '0')}`;
  const patient = `01HBENCHPAT${String(Math.floor(n / 20)).padStart(15, '0')}`;
  const id = ulid();
  const at = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
  const base = { orgId: org, version: 1, createdAt: at, updatedAt: at, updatedBy: 'bench-filler', requestId: `fill-${n}`, note: PAD };
  switch (n % 5) {
    case 0:
      return { PK: `ORG#${org}#PAT#${patient}#${n}`, SK: 'PROFILE', GSI1PK: `ORG#${org}#PATIENTS`, GSI1SK: `filler ${n}#${patient}`, id: patient, displayName: `Filler ${n}`, medicalRecordNumber: `F-${n}`, isActive: true, ...base };
    case 1:
      return { PK: `ORG#${org}#PAT#${patient}`, SK: `MEMBER#u${n}`, GSI1PK: `ORG#${org}#USER#u${n}`, GSI1SK: `PAT#${patient}`, patientId: patient, userId: `u${n}`, relationship: 'aide', ...base };
    case 2:
      return {
        PK: `ORG#${org}#PAT#${patient}`, SK: `INC#${id}`, GSI1PK: `ORG#${org}#INC#open`, GSI1SK: `${at}#${id}`, GSI2PK: `ORG#${org}#INC`, GSI2SK: `${at}#${id}`,
        id, patientId: patient, category: 'fall', severity: 'low', status: 'open', details: 'Filler incident', occurredAt: at, ...base,
      };
    case 3:
      return { PK: `ORG#${org}#USER#u${n % 997}`, SK: `NOTIF#${id}`, id, recipientId: `u${n % 997}`, type: 'IncidentReported', read: false, ...base };
    default:
      return { PK: `ORG#${org}#ACCESS#${id}`, SK: 'ACCESS', id, accessAction: 'read', patientId: patient, ...base };
  }
}

/** Writes filler items numbered [from, to) with parallel BatchWriteItem calls of 25. */
export async function fill(client: DynamoDBClient, tableName: string, measuredOrg: string, from: number, to: number, log: (s: string) => void): Promise<void> {
  const started = Date.now();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 25);
      let requests = Array.from({ length: next - start }, (_, i) => ({ PutRequest: { Item: marshall(fillerItem(start + i, measuredOrg)) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (requests.length && attempt > 20) throw new Error('bench: BatchWriteItem keeps leaving items unprocessed');
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  const s = (Date.now() - started) / 1000;
  log(`cost: filled ${to - from} items in ${s.toFixed(1)} s (${((to - from) / s).toFixed(0)} items/s)`);
}

export async function tableItemCount(client: DynamoDBClient, tableName: string): Promise<number> {
  const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return out.Table?.ItemCount ?? 0;
}

export async function runCost(env: BenchEnv, opts: { sizes: number[]; requests: number; log: (s: string) => void }): Promise<CostPoint[]> {
  const points: CostPoint[] = [];
  let filled = 0;
  // Pages are full from the start: the measured patient gets 30 incidents before the first size,
  // so a list route reads the same page at every size.
  const post = env.routes.find((r) => r.name.startsWith('POST '));
  if (post) for (let i = 0; i < 30; i++) await checkRoute(post);
  for (const size of opts.sizes) {
    const present = await tableItemCount(env.client, env.tableName);
    if (present < size) {
      await fill(env.client, env.tableName, env.orgId, filled, filled + (size - present), opts.log);
      filled += size - present;
    }
    await env.stack.settle();
    const items = await tableItemCount(env.client, env.tableName);
    for (const route of env.costRoutes) {
      await httpLoad(route.request(), { connections: 1, amount: 20 }); // warm-up
      await env.stack.settle();
      await env.stack.capacityReset();
      const latency = await httpLoad(route.request(), { connections: 1, amount: opts.requests });
      // Only what the requests consumed: stream consumers (audit, events, notification fan-out)
      // write through the same Db, so read before they run and settle afterwards.
      const totals = await env.stack.capacityRead();
      await env.stack.settle();
      const n = latency.requests + latency.errors;
      const point: CostPoint = {
        tableItems: items,
        route: route.name,
        readCapacityUnitsPerRequest: totals.readCapacityUnits / n,
        writeCapacityUnitsPerRequest: totals.writeCapacityUnits / n,
        callsPerRequest: Object.fromEntries(Object.entries(totals.calls).map(([k, v]) => [k, v / n])),
        latency,
      };
      opts.log(
        `cost: ${items} items, ${route.name}: ${point.readCapacityUnitsPerRequest.toFixed(2)} RCU + ${point.writeCapacityUnitsPerRequest.toFixed(2)} WCU per request, p50 ${latency.p50.toFixed(2)} ms`,
      );
      points.push(point);
    }
  }
  return points;
}
