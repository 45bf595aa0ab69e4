import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createAuditHandler } from '../../../../lambdas/audit/app.js';
import { compareSequence } from '../../../../lambdas/shared/streams/sequence-number.js';
import { auditJournalKey, parseAuditJournalKey, type AuditJournal, type AuditSink } from '../../../../lambdas/shared/audit/audit-event.js';
import { MemoryAuditStore } from '../../../../local/memory-audit-store.js';
import { silentLogger } from '../support/api-events.js';
import { patientItem, streamRecord, type RecordSpec } from '../support/stream-records.js';

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
  const handlerFor = (store: AuditSink & AuditJournal, logger = silentLogger()) => createAuditHandler({ sink: store, journal: store, logger, retryBaseMs: 0 });

  it('writes one gzipped NDJSON object per org and day of the whole batch, after its plan', async () => {
    const store = new MemoryAuditStore();
    const out = await handlerFor(store)(
      batch(
        insert('100', 'org-a', '2025-03-01'),
        insert('101', 'org-b', '2025-03-01'),
        skipped('102'),
        insert('103', 'org-a', '2025-03-01'),
        insert('104', 'org-b', '2025-03-01'),
        insert('105', 'org-a', '2025-03-02'),
      ),
    );

    expect(out).toEqual({ batchItemFailures: [] });
    // The plan first, then the objects (interleaved orgs still make one object each).
    expect(store.puts[0]).toBe(auditJournalKey('100', '105'));
    expect(store.puts.slice(1).sort()).toEqual([
      'audit/org=org-a/dt=2025-03-01/100-103.json.gz',
      'audit/org=org-a/dt=2025-03-02/105-105.json.gz',
      'audit/org=org-b/dt=2025-03-01/101-104.json.gz',
    ]);
    expect(store.rows('audit/org=org-a/dt=2025-03-01/100-103.json.gz').map((r) => [r.event_id, r.entity_id, r.org_id])).toEqual([
      ['evt-100', 'p-100', 'org-a'],
      ['evt-103', 'p-103', 'org-a'],
    ]);
    expect(store.rows('audit/org=org-b/dt=2025-03-01/101-104.json.gz')).toHaveLength(2);
  });

  it('writes nothing, not even a plan, for a batch with nothing to audit', async () => {
    const store = new MemoryAuditStore();
    expect(await handlerFor(store)(batch(skipped('1'), skipped('2')))).toEqual({ batchItemFailures: [] });
    expect(store.puts).toEqual([]);
  });

  it('stores a redelivered batch once: the second attempt finds the plan and writes the same keys', async () => {
    const store = new MemoryAuditStore();
    const handler = handlerFor(store);
    const event = batch(insert('200', 'org-a', '2025-03-01'), insert('201', 'org-b', '2025-03-01'));
    await handler(event);
    const before = new Map(store.objects);
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(store.objects).toEqual(before);
  });

  it('reports the first record of the batch when an object cannot be stored, after storing its plan', async () => {
    const store = new MemoryAuditStore(new Set(['audit/org=org-b/dt=2025-03-01/301-303.json.gz']));
    const logger = silentLogger();
    const logged = vi.spyOn(logger, 'error');
    const out = await handlerFor(store, logger)(
      batch(insert('300', 'org-a', '2025-03-01'), insert('301', 'org-b', '2025-03-01'), insert('302', 'org-a', '2025-03-01'), insert('303', 'org-b', '2025-03-01')),
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }] });
    expect(store.objects.has(auditJournalKey('300', '303'))).toBe(true);
    expect(logged).toHaveBeenCalledWith('audit batch not stored', expect.objectContaining({ failedAt: '300' }));
  });

  it('stores nothing when the plan itself cannot be stored', async () => {
    const store = new MemoryAuditStore(new Set([auditJournalKey('310', '311')]));
    const out = await handlerFor(store)(batch(insert('310', 'org-a', '2025-03-01'), insert('311', 'org-b', '2025-03-01')));
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: '310' }] });
    expect(store.auditKeys()).toEqual([]);
  });

  it('stores every record once when the redelivery is longer, or shorter and followed by the rest', async () => {
    const records = Array.from({ length: 8 }, (_, i) => insert(String(400 + i), i % 2 ? 'org-b' : 'org-a', '2025-03-01'));
    const store = new MemoryAuditStore(new Set(['audit/org=org-b/dt=2025-03-01/401-405.json.gz']));
    const handler = handlerFor(store);
    // First attempt: 400..405; org-a's object is stored, org-b's fails.
    expect(await handler(batch(...records.slice(0, 6)))).toEqual({ batchItemFailures: [{ itemIdentifier: '400' }] });
    store.failOn.clear();
    // Bisected redelivery: 400..402 only. It stores the first attempt's objects as planned (all of 400..405).
    expect(await handler(batch(...records.slice(0, 3)))).toEqual({ batchItemFailures: [] });
    // Then the rest: 403..407, of which 403..405 are already in the first plan's objects.
    expect(await handler(batch(...records.slice(3)))).toEqual({ batchItemFailures: [] });
    expect(store.rows().map((r) => r.event_id).sort()).toEqual(records.map((r) => `evt-${r.seq}`));
  });

  // DynamoDB Local writes its sequence numbers with leading zeros (`000000000000000000050`), AWS without.
  it.each([1, 2, 3, 4, 5, 6, 7, 8].flatMap((seed) => [{ seed, digits: 0 }, { seed, digits: 21 }]))(
    'stores every record exactly once through random cuts, failures and bisections (seed $seed, sequence numbers padded to $digits digits)',
    async ({ seed, digits }) => {
    const random = mulberry32(seed);
    const orgs = ['org-a', 'org-b', 'org-c'];
    const specs = Array.from({ length: 120 }, (_, i) => {
      const seq = String(1000 + i * 3).padStart(digits, '0');
      return random() < 0.15 ? skipped(seq) : insert(seq, orgs[Math.floor(random() * 3)]!, random() < 0.8 ? '2025-03-01' : '2025-03-02');
    });
    const store = new MemoryAuditStore();
    // An S3 that fails every put after `allowed` puts, for the rest of an invocation.
    let allowed: number | undefined;
    const flaky: AuditSink & AuditJournal = {
      put: async (key, body) => {
        if (allowed !== undefined && allowed-- <= 0) throw new Error('injected');
        return store.put(key, body);
      },
      keysAfter: (after, limit) => store.keysAfter(after, limit),
      get: (key) => store.get(key),
    };
    const handler = handlerFor(flaky);
    let pos = 0;
    let failures = 0;
    while (pos < specs.length) {
      const size = 1 + Math.floor(random() * 30);
      allowed = random() < 0.4 ? Math.floor(random() * 5) : undefined;
      const out = await handler(batch(...specs.slice(pos, pos + size)));
      if (out.batchItemFailures.length) {
        failures++;
        expect(out.batchItemFailures).toEqual([{ itemIdentifier: specs[pos]!.seq }]);
      } else pos += Math.min(size, specs.length - pos);
    }
    const stored = store.rows().map((r) => r.event_id).sort();
    const expected = specs.filter((s) => s.newImage?.entityType === 'Patient').map((s) => `evt-${s.seq}`).sort();
    expect(failures).toBeGreaterThan(0);
    expect(stored).toEqual(expected);
  },
  );

  it("ignores another shard's plan that overlaps in sequence numbers", async () => {
    const store = new MemoryAuditStore(new Set(['audit/org=org-b/dt=2025-03-01/501-503.json.gz']));
    const handler = handlerFor(store);
    // Shard 1 holds even numbers, shard 2 odd ones: their batches overlap in range.
    expect(await handler(batch(insert('500', 'org-a', '2025-03-01'), insert('502', 'org-a', '2025-03-01'), insert('504', 'org-a', '2025-03-01')))).toEqual({
      batchItemFailures: [],
    });
    expect(await handler(batch(insert('501', 'org-b', '2025-03-01'), insert('503', 'org-b', '2025-03-01')))).toEqual({
      batchItemFailures: [{ itemIdentifier: '501' }],
    });
    store.failOn.clear();
    store.puts.length = 0;
    expect(await handler(batch(insert('501', 'org-b', '2025-03-01'), insert('503', 'org-b', '2025-03-01'), insert('505', 'org-b', '2025-03-01')))).toEqual({
      batchItemFailures: [],
    });
    // Its own earlier plan is redone; shard 1's (500..504 spans 501 too) is left alone.
    expect(store.puts.filter((k) => k.startsWith('audit/')).sort()).toEqual([
      'audit/org=org-b/dt=2025-03-01/501-503.json.gz',
      'audit/org=org-b/dt=2025-03-01/505-505.json.gz',
    ]);
    expect(store.rows().map((r) => r.event_id).sort()).toEqual(['evt-500', 'evt-501', 'evt-502', 'evt-503', 'evt-504', 'evt-505']);
  });
});

describe('audit journal keys', () => {
  it('sort by last record, so a LIST after a record finds every plan that may hold it', () => {
    const keys = [auditJournalKey('5', '99'), auditJournalKey('100', '1000'), auditJournalKey('1', '4')].sort();
    expect(keys.map((k) => parseAuditJournalKey(k))).toEqual([
      { first: '1', last: '4' },
      { first: '5', last: '99' },
      { first: '100', last: '1000' },
    ]);
    expect(parseAuditJournalKey('audit/org=x/dt=2025-03-01/1-2.json.gz')).toBeUndefined();
  });
});

/** A small seeded generator, so a failing seed replays. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('compareSequence', () => {
  it('orders decimal strings of different lengths numerically', () => {
    expect(['1000', '999', '49000000000000000000000001', '10'].sort(compareSequence)).toEqual(['10', '999', '1000', '49000000000000000000000001']);
    expect(compareSequence('5', '5')).toBe(0);
    // With DynamoDB Local's leading zeros, against the unpadded numbers of a journal key.
    expect(compareSequence('000000000000000000020', '30')).toBeLessThan(0);
    expect(compareSequence('30', '000000000000000000020')).toBeGreaterThan(0);
    expect(compareSequence('000000000000000000020', '20')).toBe(0);
  });
});

describe('finding earlier plans', () => {
  it("pages through other shards' later plans to reach the one that holds the batch's first record", async () => {
    const store = new MemoryAuditStore(new Set(['audit/org=org-b/dt=2025-03-01/20-20.json.gz']));
    const handler = createAuditHandler({ sink: store, journal: store, logger: silentLogger(), retryBaseMs: 0 });
    const first = [insert('10', 'org-a', '2025-03-01'), insert('20', 'org-b', '2025-03-01'), insert('100000', 'org-a', '2025-03-01')];
    // This shard's attempt at 10..100000 stores its plan and org-a's object, not org-b's...
    expect(await handler(batch(...first))).toEqual({ batchItemFailures: [{ itemIdentifier: '10' }] });
    // ...while another shard stores 2,500 plans of later records that sort before it (last < 100000).
    for (let i = 11; i < 2511; i++) await store.put(auditJournalKey(String(i), String(i)), new Uint8Array());
    store.failOn.clear();
    expect(await handler(batch(...first, insert('100001', 'org-a', '2025-03-01')))).toEqual({ batchItemFailures: [] });
    expect(store.rows().map((r) => r.event_id).sort()).toEqual(['evt-10', 'evt-100000', 'evt-100001', 'evt-20']);
  });
});
