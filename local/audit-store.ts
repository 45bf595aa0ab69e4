/**
 * The local stand-in for the audit bucket (S3 with Object Lock): files under `<root>/<key>`,
 * written once and read-only afterwards.
 */
import { randomUUID } from 'node:crypto';
import { access, chmod, link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { AuditSink } from '../lambdas/shared/audit/audit-event.js';

export class FileAuditSink implements AuditSink {
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
}
