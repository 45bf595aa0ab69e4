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
 * Stream batch -> gzipped NDJSON objects, one per contiguous run of records of the same org and
 * day, written in stream order, one after another. Object names come from the sequence numbers of
 * the records they hold, and the sink never overwrites.
 *
 * Exactly once (docs/audit.md): when a put fails, the batch stops there and reports a partial
 * failure from the first record of that run. Everything before it is stored, nothing after it is,
 * so the redelivery (which may be cut at a different record) starts exactly at the first record not
 * yet stored. Writing org/day groups of the whole batch in parallel instead stored records twice:
 * a group written beside a failed one came back in the redelivery under different boundaries.
 */
export function createAuditHandler(deps: AuditDeps): StreamHandler {
  return async (event) => {
    const runs: Array<{ org: string; dt: string; rows: AuditEvent[]; seqs: string[] }> = [];
    for (const record of event.Records) {
      const change = toChangeRecord(record);
      const row = auditEventFromChange(change);
      if (!row) continue;
      const dt = row.at.slice(0, 10);
      const last = runs.at(-1);
      const run = last && last.org === row.org_id && last.dt === dt ? last : { org: row.org_id, dt, rows: [], seqs: [] };
      if (run !== last) runs.push(run);
      run.rows.push(row);
      run.seqs.push(change.sequenceNumber);
    }

    let written = 0;
    for (const run of runs) {
      const body = gzipSync(run.rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const key = auditObjectKey(run.org, run.dt, `${run.seqs[0]}-${run.seqs[run.seqs.length - 1]}`);
      try {
        await putWithRetries(deps.sink, key, body);
        written += 1;
      } catch (error) {
        deps.logger.error('audit object not written', { error: error as Error, records: run.rows.length });
        deps.logger.info('audit batch', { records: event.Records.length, objects: written, failedAt: run.seqs[0] });
        return { batchItemFailures: [{ itemIdentifier: run.seqs[0]! }] };
      }
    }
    deps.logger.info('audit batch', { records: event.Records.length, objects: written });
    return { batchItemFailures: [] };
  };
}

/** A failed put is tried again a few times before the batch reports a partial failure. */
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
