/**
 * An in-memory audit bucket and journal (write once, like the real ones), for tests and the
 * benchmark: no disk, and every put is visible for assertions.
 */
import { gunzipSync } from 'node:zlib';
import { AUDIT_JOURNAL_PREFIX, AUDIT_PREFIX, type AuditEvent, type AuditJournal, type AuditSink } from '../lambdas/shared/audit/audit-event.js';

export class MemoryAuditStore implements AuditSink, AuditJournal {
  readonly objects = new Map<string, Uint8Array>();
  /** Every put, in order, including the ones that failed or found the key taken. */
  readonly puts: string[] = [];

  /** @param failOn keys whose put throws (a bucket that refuses them), until removed. */
  constructor(readonly failOn: Set<string> = new Set()) {}

  async put(key: string, body: Uint8Array): Promise<'written' | 'exists'> {
    this.puts.push(key);
    if (this.failOn.has(key)) throw new Error(`bucket unavailable for ${key}`);
    if (this.objects.has(key)) return 'exists';
    this.objects.set(key, body);
    return 'written';
  }

  async keysAfter(startAfter: string, limit: number): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(AUDIT_JOURNAL_PREFIX) && k > startAfter).sort().slice(0, limit);
  }

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new Error(`NoSuchKey: ${key}`);
    return body;
  }

  /** Keys of audit objects (not journal plans), sorted. */
  auditKeys(): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(AUDIT_PREFIX)).sort();
  }

  /** The rows of one audit object, or of all of them. */
  rows(key?: string): AuditEvent[] {
    const keys = key === undefined ? this.auditKeys() : [key];
    return keys.flatMap((k) => {
      const body = this.objects.get(k);
      if (!body) throw new Error(`no object ${k}`);
      const text = gunzipSync(body).toString('utf8');
      if (!text.endsWith('\n')) throw new Error(`object ${k} does not end with a newline`);
      return text.trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    });
  }
}
