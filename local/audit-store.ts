/**
 * The local stand-in for the audit bucket (S3 with Object Lock) and the audit journal bucket:
 * files under `<root>/<key>`, written once and read-only afterwards.
 */
import { randomUUID } from 'node:crypto';
import { access, chmod, link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_JOURNAL_PREFIX, type AuditJournal, type AuditSink } from '../lambdas/shared/audit/audit-event.js';

export class FileAuditSink implements AuditSink, AuditJournal {
  private readonly root: string;

  /** @param root folder that keys are relative to, e.g. `.carestack` for `.carestack/audit/...` */
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Where `key` lives on disk. Throws for keys that would leave the root. */
  pathOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (path.isAbsolute(key) || !file.startsWith(this.root + path.sep)) {
      throw new Error(`FileAuditSink: key ${JSON.stringify(key)} is not a relative path inside ${this.root}`);
    }
    return file;
  }

  async put(key: string, body: Uint8Array): Promise<'written' | 'exists'> {
    const file = this.pathOf(key);
    if (await access(file).then(() => true, () => false)) return 'exists';

    await mkdir(path.dirname(file), { recursive: true });
    // Written completely under a name readers do not match (`*.json.gz`), made read-only, then
    // hard-linked into place: link never replaces an existing file, so the first writer wins and
    // nobody ever sees a partial object.
    const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await chmod(temp, 0o444);
      await link(temp, file);
      return 'written';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** As S3's ListObjectsV2 with a prefix of `audit-journal/` and StartAfter. */
  async keysAfter(startAfter: string, limit: number): Promise<string[]> {
    const names = await readdir(this.pathOf(AUDIT_JOURNAL_PREFIX)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names
      .filter((name) => !name.startsWith('.'))
      .map((name) => `${AUDIT_JOURNAL_PREFIX}${name}`)
      .filter((key) => key > startAfter)
      .sort()
      .slice(0, limit);
  }

  async get(key: string): Promise<Uint8Array> {
    return readFile(this.pathOf(key));
  }

  /**
   * Deletes plans older than `maxAgeMs`, as the journal bucket's lifecycle rule does on AWS, so
   * the folder each audit batch lists stays small. Audit objects are never touched.
   * @returns how many plans were deleted
   */
  async expirePlans(maxAgeMs: number, now = Date.now()): Promise<number> {
    const dir = this.pathOf(AUDIT_JOURNAL_PREFIX);
    const names = await readdir(dir).catch(() => [] as string[]);
    let deleted = 0;
    for (const name of names.filter((n) => !n.startsWith('.'))) {
      const file = path.join(dir, name);
      if (now - (await stat(file)).mtimeMs > maxAgeMs) {
        await unlink(file);
        deleted += 1;
      }
    }
    return deleted;
  }
}
