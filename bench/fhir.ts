/**
 * Section 5: the FHIR export's cost per page as a patient's record grows (issue 24). One patient
 * gets a medication and N doses (1,000, then 10,000), written straight into the table as the
 * medications domain stores them (plus the other patients' filler of the same table untouched);
 * the records function (the same code as on AWS: `createRecordsHandler` with every domain's
 * mapping) is invoked in this process with an API Gateway event, page after page by its `next`
 * links, with a Db that records the capacity each call consumed. No stream consumers run here,
 * so every capacity unit counted is the export's own (its reads and its one audit record a page).
 */
import { BatchWriteItemCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { performance } from 'node:perf_hooks';
import { FHIR_MAPPINGS } from '../lambdas/registry.js';
import { createRecordsHandler } from '../lambdas/records/app.js';
import { Db, type ConsumedCapacityReport } from '../lambdas/shared/data/db.js';
import { createTable } from '../local/dynamodb/create-table.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger } from '../test/unit/lambdas/support/api-events.js';
import { round } from './lib/stats.js';

export interface FhirPage {
  doses: number;
  page: number;
  entries: number;
  readCapacityUnits: number;
  writeCapacityUnits: number;
  calls: number;
  ms: number;
}

export interface FhirResult {
  pages: FhirPage[];
  /** Per record size: the median and largest capacity and time of a full page. */
  bySize: Array<{ doses: number; pages: number; fullPageRcuMedian: number; fullPageRcuMax: number; fullPageMsMedian: number; fullPageMsMax: number }>;
}

const ORG = 'bench-fhir';
const PATIENT = '01HBENCHFHIRPATIENT0000000';
const MED = '01HBENCHFHIRMEDICATION0000';
const PK = `ORG#${ORG}#PAT#${PATIENT}`;
const stamp = (at: string) => ({ orgId: ORG, version: 1, createdAt: at, updatedAt: at, updatedBy: 'bench', updatedByRoles: ['aide'], requestId: 'bench', source: 'api' });

function doseItem(n: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2025, 0, 1) + n * 30 * 60_000).toISOString();
  const id = `${at.replace(/[-:.]/g, '')}_${MED}`;
  return {
    PK, SK: `DOSE#${at}#${MED}`, entityType: 'Dose', id, patientId: PATIENT, medicationId: MED, scheduledFor: at,
    status: n % 10 === 9 ? 'missed' : 'taken', late: false, asNeeded: false,
    ...(n % 10 === 9 ? {} : { confirmedAt: at, confirmedBy: 'bench-aide', takenAt: at }), ...stamp(at),
  };
}

async function put(client: DynamoDBClient, tableName: string, items: Array<Record<string, unknown>>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const start = next;
      next = Math.min(items.length, next + 25);
      let requests = items.slice(start, next).map((Item) => ({ PutRequest: { Item: marshall(Item, { removeUndefinedValues: true }) } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (requests.length && attempt > 20) throw new Error('bench: BatchWriteItem keeps leaving items unprocessed');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
};

export async function runFhir(client: DynamoDBClient, opts: { sizes: number[]; log: (s: string) => void }): Promise<FhirResult> {
  const tableName = 'carestack-bench-fhir';
  await createTable(client, tableName);
  try {
    const at = '2024-12-31T00:00:00.000Z';
    await put(client, tableName, [
      { PK, SK: 'PROFILE', entityType: 'Patient', id: PATIENT, displayName: 'Bench Patient', medicalRecordNumber: 'B-1', isActive: true, ...stamp(at) },
      { PK: `ORG#${ORG}#USER#bench-aide`, SK: 'PROFILE', entityType: 'User', userId: 'bench-aide', orgId: ORG, displayName: 'Bench Aide', role: 'aide', email: 'aide@bench.example' },
      {
        PK, SK: `MED#${MED}`, entityType: 'Medication', id: MED, patientId: PATIENT, name: 'Metformin', dosage: '850 mg', graceMinutes: 60, status: 'active',
        schedule: { times: ['08:00', '20:00'], timezone: 'UTC', startDate: '2025-01-01' }, ...stamp(at),
      },
    ]);
    let calls = 0;
    let rcu = 0;
    let wcu = 0;
    const db = new Db(client, tableName, {
      onConsumedCapacity: (r: ConsumedCapacityReport) => {
        calls += 1;
        rcu += r.readCapacityUnits;
        wcu += r.writeCapacityUnits;
      },
    });
    const handler = createRecordsHandler({ db, clock: fixedClock('2026-12-07T12:00:00.000Z'), logger: silentLogger(), fhir: FHIR_MAPPINGS });
    const caller = { userId: 'bench-coordinator', orgId: ORG, roles: ['coordinator' as const] };
    const pages: FhirPage[] = [];
    let written = 0;
    for (const size of opts.sizes) {
      await put(client, tableName, Array.from({ length: size - written }, (_, i) => doseItem(written + i)));
      written = size;
      // A warm-up export, then the measured one.
      for (const measured of [false, true]) {
        let cursor: string | undefined;
        let page = 0;
        do {
          calls = 0;
          rcu = 0;
          wcu = 0;
          const t0 = performance.now();
          const res = await handler(
            apiEvent({ route: 'GET /patients/{patientId}/fhir', caller, pathParameters: { patientId: PATIENT }, ...(cursor ? { query: { cursor } } : {}) }),
            lambdaContext(),
          );
          const ms = performance.now() - t0;
          if (res.statusCode !== 200) throw new Error(`bench: export answered ${res.statusCode} ${res.body.slice(0, 200)}`);
          const bundle = bodyOf<{ entry: unknown[]; link: Array<{ relation: string; url: string }> }>(res);
          page += 1;
          if (measured) pages.push({ doses: size, page, entries: bundle.entry.length, readCapacityUnits: rcu, writeCapacityUnits: wcu, calls, ms });
          const next = bundle.link.find((l) => l.relation === 'next');
          cursor = next ? (new URL(next.url, 'http://x/patients/p/').searchParams.get('cursor') ?? undefined) : undefined;
        } while (cursor);
      }
      const mine = pages.filter((p) => p.doses === size);
      opts.log(`fhir: ${size} doses, ${mine.length} pages, full page ${round(median(mine.filter((p) => p.entries === 500).map((p) => p.readCapacityUnits)), 1)} RCU, ${round(median(mine.map((p) => p.ms)), 1)} ms median`);
    }
    const bySize = opts.sizes.map((doses) => {
      const full = pages.filter((p) => p.doses === doses && p.entries === 500);
      return {
        doses,
        pages: pages.filter((p) => p.doses === doses).length,
        fullPageRcuMedian: round(median(full.map((p) => p.readCapacityUnits)), 2),
        fullPageRcuMax: round(Math.max(...full.map((p) => p.readCapacityUnits)), 2),
        fullPageMsMedian: round(median(full.map((p) => p.ms)), 1),
        fullPageMsMax: round(Math.max(...full.map((p) => p.ms)), 1),
      };
    });
    return { pages, bySize };
  } finally {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  }
}
