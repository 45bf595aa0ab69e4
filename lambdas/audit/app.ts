import { gzipSync } from 'node:zlib';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEventFromChange } from '../shared/audit/from-stream.js';
import { auditObjectKey, type AuditEvent, type AuditSink } from '../shared/audit/audit-event.js';
import { toChangeRecord } from '../shared/data/stream-image.js';
import type { Logger } from '../shared/logger.js';

export interface AuditDeps {
  sink: AuditSink;
  logger: Logger;
}

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * Stream batch -> one gzipped NDJSON object per org and day. Object names come from the sequence
 * numbers of the records they hold, and the sink never overwrites, so a batch delivered again
 * stores nothing twice. If an object cannot be written, the batch reports a partial failure from
 * the first record of that object on; Lambda (or the local poller) delivers from there again.
 */
export function createAuditHandler(deps: AuditDeps): StreamHandler {
  return async (event) => {
    const groups = new Map<string, { org: string; dt: string; rows: AuditEvent[]; seqs: string[] }>();
    for (const record of event.Records) {
      const change = toChangeRecord(record);
      const row = auditEventFromChange(change);
      if (!row) continue;
      const dt = row.at.slice(0, 10);
      const id = `${row.org_id}|${dt}`;
      const group = groups.get(id) ?? { org: row.org_id, dt, rows: [], seqs: [] };
      group.rows.push(row);
      group.seqs.push(change.sequenceNumber);
      groups.set(id, group);
    }

    const results = await Promise.allSettled(
      [...groups.values()].map(async (g) => {
        const body = gzipSync(g.rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
        const key = auditObjectKey(g.org, g.dt, `${g.seqs[0]}-${g.seqs[g.seqs.length - 1]}`);
        const outcome = await putWithRetries(deps.sink, key, body);
        return { key, outcome, records: g.rows.length };
      }),
    );

    const failedSeqs: string[] = [];
    [...groups.values()].forEach((g, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        deps.logger.error('audit object not written', { error: result.reason as Error, records: g.rows.length });
        failedSeqs.push(g.seqs[0]!);
      }
    });
    const written = results.filter((r) => r.status === 'fulfilled').length;
    deps.logger.info('audit batch', { records: event.Records.length, objects: written, failedObjects: failedSeqs.length });
    if (failedSeqs.length === 0) return { batchItemFailures: [] };
    const first = failedSeqs.sort(compareSequence)[0]!;
    return { batchItemFailures: [{ itemIdentifier: first }] };
  };
}

/**
 * A failed put is tried again here before the batch reports a failure: objects of other org/day
 * groups of the batch may already be stored, and a redelivery cut at a different record would store
 * their later records a second time (docs/audit.md, "Exactly once").
 */
async function putWithRetries(sink: AuditSink, key: string, body: Uint8Array, attempts = 3): Promise<'written' | 'exists'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.put(key, body);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

/** Stream sequence numbers are decimal strings of varying length. */
export const compareSequence = (a: string, b: string): number => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0);
