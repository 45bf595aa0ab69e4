import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditJournalKey, auditObjectKey } from '../../../lambdas/shared/audit/audit-event.js';
import { FileAuditSink } from '../../../local/audit-store.js';

describe('FileAuditSink', () => {
  let root: string;
  let sink: FileAuditSink;
  const key = auditObjectKey('org-1', '2026-11-21', 'batch-0001');

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'audit-store-'));
    sink = new FileAuditSink(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes the object under the key layout, relative to its root', async () => {
    await expect(sink.put(key, Buffer.from('first'))).resolves.toBe('written');

    const file = path.join(root, 'audit', 'org=org-1', 'dt=2026-11-21', 'batch-0001.json.gz');
    expect(await readFile(file, 'utf8')).toBe('first');
    // No temp files left beside it.
    expect(await readdir(path.dirname(file))).toEqual(['batch-0001.json.gz']);
  });

  it('answers exists for a second put of the same key and keeps the first body', async () => {
    await sink.put(key, Buffer.from('first'));

    await expect(sink.put(key, Buffer.from('second'))).resolves.toBe('exists');
    expect(await readFile(sink.pathOf(key), 'utf8')).toBe('first');
  });

  it('lets exactly one of many concurrent writers of a key win', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sink.put(key, Buffer.from(`writer-${i}`))));

    expect(results.filter((r) => r === 'written')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(7);
    const winner = results.indexOf('written');
    expect(await readFile(sink.pathOf(key), 'utf8')).toBe(`writer-${winner}`);
    expect(await readdir(path.dirname(sink.pathOf(key)))).toEqual(['batch-0001.json.gz']);
  });

  it('leaves the object read-only', async () => {
    await sink.put(key, Buffer.from('first'));

    expect((await stat(sink.pathOf(key))).mode & 0o777).toBe(0o444);
    if (process.getuid?.() !== 0) {
      // root ignores permission bits, so only an ordinary user can see the write refused.
      await expect(writeFile(sink.pathOf(key), 'tampered')).rejects.toMatchObject({ code: 'EACCES' });
    }
  });

  it('refuses keys that leave its root', async () => {
    await expect(sink.put('../outside.json.gz', Buffer.from('x'))).rejects.toThrow(/not a relative path inside/);
    await expect(sink.put('/etc/passwd', Buffer.from('x'))).rejects.toThrow(/not a relative path inside/);
  });

  describe('as the audit journal', () => {
    it('lists plan keys after a key, in key order, as S3 ListObjectsV2 with StartAfter does', async () => {
      expect(await sink.keysAfter('audit-journal/', 10)).toEqual([]); // no journal folder yet
      const keys = [auditJournalKey('1', '9'), auditJournalKey('10', '20'), auditJournalKey('21', '30')];
      for (const k of [...keys].reverse()) await sink.put(k, Buffer.from(k));
      await sink.put(key, Buffer.from('an audit object, not a plan'));
      expect(await sink.keysAfter('audit-journal/', 10)).toEqual(keys);
      expect(await sink.keysAfter(keys[0]!, 10)).toEqual(keys.slice(1));
      expect(await sink.keysAfter('audit-journal/', 2)).toEqual(keys.slice(0, 2));
    });

    it('expires plans older than the lifecycle, as the journal bucket does, and never audit objects', async () => {
      const old = auditJournalKey('1', '9');
      const young = auditJournalKey('10', '20');
      await sink.put(old, Buffer.from('old'));
      await sink.put(young, Buffer.from('young'));
      await sink.put(key, Buffer.from('an audit object'));
      const { utimes } = await import('node:fs/promises');
      const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
      await utimes(sink.pathOf(old), eightDaysAgo, eightDaysAgo);
      await utimes(sink.pathOf(key), eightDaysAgo, eightDaysAgo);
      expect(await sink.expirePlans(7 * 86_400_000)).toBe(1);
      expect(await sink.keysAfter('audit-journal/', 10)).toEqual([young]);
      expect(await readFile(sink.pathOf(key), 'utf8')).toBe('an audit object');
    });

    it('reads a plan back', async () => {
      const k = auditJournalKey('1', '9');
      await sink.put(k, Buffer.from('plan'));
      expect(Buffer.from(await sink.get(k)).toString()).toBe('plan');
      await expect(sink.get(auditJournalKey('2', '3'))).rejects.toThrow();
    });
  });
});
