import { gunzipSync } from 'node:zlib';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { compareSequence, createAuditHandler } from '../../../../lambdas/audit/app.js';
import type { AuditEvent, AuditSink } from '../../../../lambdas/shared/audit/audit-event.js';
import { silentLogger } from '../support/api-events.js';
import { patientItem, streamRecord, type RecordSpec } from '../support/stream-records.js';

/** Write-once in-memory bucket; keys listed in `failOn` throw. */
class MemorySink implements AuditSink {
  readonly objects = new Map<string, Uint8Array>();
  readonly puts: string[] = [];
  constructor(readonly failOn: Set<string> = new Set()) {}
  async put(key: string, body: Uint8Array): Promise<'written' | 'exists'> {
    this.puts.push(key);
    if (this.failOn.has(key)) throw new Error(`bucket unavailable for ${key}`);
    if (this.objects.has(key)) return 'exists';
    this.objects.set(key, body);
    return 'written';
  }
  rows(key: string): AuditEvent[] {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    const text = gunzipSync(body).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    return text.trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEvent);
  }
}

const batch = (...specs: RecordSpec[]): DynamoDBStreamEvent => ({ Records: specs.map(streamRecord) });

const insert = (seq: string, org: string, day: string, id = `p-${seq}`): RecordSpec => ({
  eventName: 'INSERT',
  seq,
  newImage: patientItem({ orgId: org, id, patientId: id, PK: `ORG#${org}#PAT#${id}`, updatedAt: `${day}T10:00:00.000Z`, createdAt: `${day}T10:00:00.000Z` }),
});

const skipped = (seq: string): RecordSpec => ({
  eventName: 'INSERT',
  seq,
  newImage: { PK: 'ORG#org-a#USER#u#x', SK: 'IDEM#h', entityType: 'IdempotencyRecord', orgId: 'org-a', updatedAt: '2025-03-01T10:00:00.000Z' },
});

describe('createAuditHandler', () => {
  it('writes one gzipped NDJSON object per contiguous run of one org and day, named by its first and last sequence numbers', async () => {
    const sink = new MemorySink();
    const handler = createAuditHandler({ sink, logger: silentLogger() });

    const out = await handler(
      batch(
        insert('100', 'org-a', '2025-03-01'),
        insert('101', 'org-a', '2025-03-01'),
        skipped('102'),
        insert('103', 'org-a', '2025-03-01'),
        insert('104', 'org-b', '2025-03-01'),
        insert('105', 'org-a', '2025-03-02'),
      ),
    );

    expect(out).toEqual({ batchItemFailures: [] });
    expect(sink.puts).toEqual([
      'audit/org=org-a/dt=2025-03-01/100-103.json.gz',
      'audit/org=org-b/dt=2025-03-01/104-104.json.gz',
      'audit/org=org-a/dt=2025-03-02/105-105.json.gz',
    ]);
    expect(sink.rows('audit/org=org-a/dt=2025-03-01/100-103.json.gz').map((r) => [r.event_id, r.entity_id, r.org_id])).toEqual([
      ['evt-100', 'p-100', 'org-a'],
      ['evt-101', 'p-101', 'org-a'],
      ['evt-103', 'p-103', 'org-a'],
    ]);
    expect(sink.rows('audit/org=org-b/dt=2025-03-01/104-104.json.gz')).toHaveLength(1);
  });

  it('writes nothing for a batch with nothing to audit', async () => {
    const sink = new MemorySink();
    const out = await createAuditHandler({ sink, logger: silentLogger() })(batch(skipped('1'), skipped('2')));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(sink.puts).toEqual([]);
  });

  it('treats an object that already exists (a redelivered batch) as success, storing it once', async () => {
    const sink = new MemorySink();
    const handler = createAuditHandler({ sink, logger: silentLogger() });
    const event = batch(insert('200', 'org-a', '2025-03-01'), insert('201', 'org-a', '2025-03-01'));

    await handler(event);
    const first = sink.objects.get('audit/org=org-a/dt=2025-03-01/200-201.json.gz');
    const again = await handler(event);

    expect(again).toEqual({ batchItemFailures: [] });
    expect(sink.puts).toHaveLength(2);
    expect(sink.objects.size).toBe(1);
    expect(sink.objects.get('audit/org=org-a/dt=2025-03-01/200-201.json.gz')).toBe(first);
  });

  it('stops at the first failed object, reports its first sequence number and writes nothing after it', async () => {
    const sink = new MemorySink(new Set(['audit/org=org-b/dt=2025-03-01/301-301.json.gz']));
    const logger = silentLogger();
    const logged = vi.spyOn(logger, 'error');
    const handler = createAuditHandler({ sink, logger });

    const out = await handler(
      batch(
        insert('300', 'org-a', '2025-03-01'),
        insert('301', 'org-b', '2025-03-01'),
        insert('302', 'org-a', '2025-03-01'),
        insert('303', 'org-b', '2025-03-01'),
      ),
    );

    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '301' }] });
    expect([...sink.objects.keys()]).toEqual(['audit/org=org-a/dt=2025-03-01/300-300.json.gz']);
    expect(logged).toHaveBeenCalledWith('audit object not written', expect.objectContaining({ records: 1 }));
  });

  it('stores every record exactly once when the redelivery after a failure is cut at other records', async () => {
    // Interleaved orgs: the case where writing org groups side by side stored records twice.
    const sink = new MemorySink(new Set(['audit/org=org-a/dt=2025-03-01/402-402.json.gz']));
    const handler = createAuditHandler({ sink, logger: silentLogger() });
    const records = ['400', '401', '402', '403', '404', '405'].map((seq, i) => insert(seq, i % 2 ? 'org-b' : 'org-a', '2025-03-01'));

    const first = await handler(batch(...records.slice(0, 5)));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: '402' }] });
    sink.failOn.clear();
    // Lambda resumes at the failed record, with a batch that now reaches further.
    expect(await handler(batch(...records.slice(2)))).toEqual({ batchItemFailures: [] });

    const ids = [...sink.objects.keys()].flatMap((key) => sink.rows(key).map((r) => r.event_id));
    expect(ids.sort()).toEqual(['evt-400', 'evt-401', 'evt-402', 'evt-403', 'evt-404', 'evt-405']);
  });
});

describe('compareSequence', () => {
  it('orders decimal strings of different lengths numerically', () => {
    expect(['1000', '999', '49000000000000000000000001', '10'].sort(compareSequence)).toEqual(['10', '999', '1000', '49000000000000000000000001']);
    expect(compareSequence('5', '5')).toBe(0);
  });
});
