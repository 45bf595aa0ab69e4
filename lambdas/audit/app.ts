import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventFromChange } from '../shared/audit/from-stream.js';
import {
  AUDIT_JOURNAL_PREFIX,
  auditJournalKey,
  auditObjectKey,
  padSequence,
  parseAuditJournalKey,
  type AuditEvent,
  type AuditJournal,
  type AuditSink,
} from '../shared/audit/audit-event.js';
import { toChangeRecord } from '../shared/data/stream-image.js';
import { compareSequence } from '../shared/streams/sequence-number.js';
import type { Logger } from '../shared/logger.js';

export interface AuditDeps {
  sink: AuditSink;
  journal: AuditJournal;
  logger: Logger;
  /** First back-off before a failed put is tried again (doubling). @default 50 */
  retryBaseMs?: number;
  /**
   * Called once per stored batch with its stream records and the audit objects it stored (the
   * dashboard's "records per object"; EMF metrics on AWS).
   * @default - nothing besides the log line
   */
  onBatchStored?: (counts: { records: number; objects: number }) => void;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** What one attempt at a batch planned to store (the journal object's content, gzipped JSON). */
interface Plan {
  first: string;
  last: string;
  /** Every record of the attempt's batch, audited or not, in stream order. */
  seqs: string[];
  objects: Array<{ key: string; body: string /* base64 of the gzipped NDJSON */ }>;
}

/** Keys per journal LIST (S3's maximum). */
const LIST_PAGE = 1000;

/** Audit objects written at once; a batch has one per org and day, rarely more than a few dozen. */
const PUT_CONCURRENCY = 8;

/**
 * Stream batch -> gzipped NDJSON objects, one per org and day of the whole batch, named by the
 * sequence numbers of their first and last records; the sink never overwrites.
 *
 * Exactly once, whatever the redelivery (docs/audit.md): before any object, the batch's plan (the
 * objects' keys and bodies) goes to the journal. An attempt first looks for plans of earlier
 * attempts that hold its first record (one LIST, empty unless this is a redelivery), stores their
 * objects again (same keys: the sink answers `exists` for the ones already stored) and plans only
 * the records they do not cover. On any failure it reports its first record, so the next attempt
 * starts there and finds this plan, however Lambda cuts that batch (longer, shorter, bisected).
 */
export function createAuditHandler(deps: AuditDeps): StreamHandler {
  const retryBaseMs = deps.retryBaseMs ?? 50;
  return async (event) => {
    const records = event.Records.map((record) => toChangeRecord(record));
    if (records.length === 0) return { batchItemFailures: [] };
    const first = records[0]!.sequenceNumber;
    try {
      const earlier = await plansHolding(deps.journal, first);
      const covered = new Set(earlier.flatMap((plan) => plan.seqs));
      const objects = new Map<string, Uint8Array>();
      for (const plan of earlier) for (const o of plan.objects) objects.set(o.key, Buffer.from(o.body, 'base64'));

      const fresh = records.filter((r) => !covered.has(r.sequenceNumber));
      const groups = new Map<string, { org: string; dt: string; rows: AuditEvent[]; seqs: string[] }>();
      for (const change of fresh) {
        const row = auditEventFromChange(change);
        if (!row) continue;
        const dt = row.at.slice(0, 10);
        const id = `${row.org_id}/${dt}`;
        const group = groups.get(id) ?? { org: row.org_id, dt, rows: [], seqs: [] };
        groups.set(id, group);
        group.rows.push(row);
        group.seqs.push(change.sequenceNumber);
      }
      const planned = [...groups.values()].map((g) => ({
        key: auditObjectKey(g.org, g.dt, `${g.seqs[0]}-${g.seqs[g.seqs.length - 1]}`),
        body: gzipSync(g.rows.map((r) => JSON.stringify(r)).join('\n') + '\n'),
      }));
      if (planned.length > 0) {
        // The plan names every record of the batch, the covered ones too: a later attempt that
        // starts anywhere in this batch holds its first record and so finds this plan.
        const seqs = records.map((r) => r.sequenceNumber);
        const plan: Plan = {
          first,
          last: seqs[seqs.length - 1]!,
          seqs,
          objects: planned.map((o) => ({ key: o.key, body: Buffer.from(o.body).toString('base64') })),
        };
        await putWithRetries(deps.journal, auditJournalKey(plan.first, plan.last), gzipSync(JSON.stringify(plan)), retryBaseMs);
        for (const o of planned) objects.set(o.key, o.body);
      }

      await forEachLimited([...objects], PUT_CONCURRENCY, ([key, body]) => putWithRetries(deps.sink, key, body, retryBaseMs));
      deps.logger.info('audit batch', { records: records.length, objects: objects.size, earlierPlans: earlier.length });
      deps.onBatchStored?.({ records: records.length, objects: objects.size });
      return { batchItemFailures: [] };
    } catch (error) {
      deps.logger.error('audit batch not stored', { error: error as Error, records: records.length, failedAt: first });
      return { batchItemFailures: [{ itemIdentifier: first }] };
    }
  };
}

/**
 * Plans of earlier attempts that hold `seq`. Their keys sort by last record, so they are among
 * the keys after `seq` (normally none: the previous batch ended before it). A plan of another
 * shard can overlap in numbers but never holds this shard's record, so membership decides.
 */
async function plansHolding(journal: AuditJournal, seq: string): Promise<Plan[]> {
  // `audit-journal/<padded seq>` sorts before every key whose last record is seq or later. Other
  // shards' later plans sort there too (all of them, if this shard lags): page through them.
  const keys: string[] = [];
  for (let after = `${AUDIT_JOURNAL_PREFIX}${padSequence(seq)}`; ; ) {
    const page = await journal.keysAfter(after, LIST_PAGE);
    keys.push(...page);
    if (page.length < LIST_PAGE) break;
    after = page[page.length - 1]!;
  }
  const plans: Plan[] = [];
  for (const key of keys) {
    const range = parseAuditJournalKey(key);
    if (!range || compareSequence(range.first, seq) > 0 || compareSequence(range.last, seq) < 0) continue;
    const plan = JSON.parse(gunzipSync(await journal.get(key)).toString('utf8')) as Plan;
    if (plan.seqs.includes(seq)) plans.push(plan);
  }
  return plans;
}

/** A failed put is tried again a few times before the batch reports a failure. */
async function putWithRetries(store: Pick<AuditSink, 'put'>, key: string, body: Uint8Array, baseMs: number, attempts = 3): Promise<'written' | 'exists'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.put(key, body);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, baseMs * 2 ** attempt));
    }
  }
}

/** Runs `work` over `items`, at most `limit` at a time; rejects with the first failure, after all settled. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: Error | undefined;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item).catch((err: unknown) => (failure ??= err instanceof Error ? err : new Error(String(err))));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
