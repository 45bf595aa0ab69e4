/**
 * The local stand-in for the attachments bucket and its presigned URLs: files under
 * `<dataDir>/attachments/<key>`, and HMAC-signed, expiring URLs served by the local gateway
 * (`PUT|GET /_local/files/<key>?expires=&...&signature=`). Same contract as S3's presigned URLs:
 * the upload URL accepts exactly the declared content type and size, a wrong or expired signature
 * is 403, and nothing partial is ever kept.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contentDisposition, type AttachmentFileDeleter, type AttachmentStore } from '../lambdas/messaging/attachment-store.js';
import { AttachmentObjectKeys } from '../lambdas/messaging/keys.js';
import type { Clock } from '../lambdas/shared/clock.js';
import type { LocalDeps, LocalRoute } from './deps.js';

export const FILES_PATH = '/_local/files/';
/** Object keys are ours; anything else never touches the disk. */
const KEY = AttachmentObjectKeys.pattern;
/** How much of an oversize body is read (and dropped) so the client still gets its 413. */
const DRAIN_LIMIT = 32 * 1024 * 1024;

export interface LocalAttachmentStoreOptions {
  /** Where files live (`<dataDir>/attachments`). */
  readonly root: string;
  /** The local gateway's base URL (known once it listens). */
  readonly baseUrl: () => string;
  readonly clock: Clock;
  /** @default - 32 random bytes: URLs are valid for this process only, as short-lived as they are */
  readonly secret?: Buffer;
}

type Signed = { method: 'PUT' | 'GET'; key: string; expires: number; contentType: string; extra: string };

export class LocalAttachmentStore implements AttachmentStore, AttachmentFileDeleter {
  private readonly secret: Buffer;

  constructor(private readonly options: LocalAttachmentStoreOptions) {
    this.secret = options.secret ?? randomBytes(32);
  }

  async uploadUrl(request: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<string> {
    return this.url({ method: 'PUT', key: request.key, expires: this.expiry(request.expiresInSeconds), contentType: request.contentType, extra: String(request.size) }, 'size');
  }

  async downloadUrl(request: { key: string; fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    return this.url({ method: 'GET', key: request.key, expires: this.expiry(request.expiresInSeconds), contentType: request.contentType, extra: request.fileName }, 'fileName');
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const s = await stat(this.fileOf(key));
      return s.isFile() ? { size: s.size } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The local side of S3AttachmentDeleter: the file goes (a file store keeps no versions). */
  async delete(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const to = this.fileOf(toKey);
    await mkdir(path.dirname(to), { recursive: true });
    await copyFile(this.fileOf(fromKey), to);
  }

  /** The gateway route for the URLs this store hands out. */
  readonly route: LocalRoute = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith(FILES_PATH)) return false;
    try {
      await this.serve(req, res, url);
    } catch (err) {
      if (!res.headersSent) reply(res, 500, 'internal', 'Could not handle the file');
      else res.end();
      console.error('[attachments] file request failed', err);
    }
    return true;
  };

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const key = safeDecode(url.pathname.slice(FILES_PATH.length));
    const q = url.searchParams;
    if ((method !== 'PUT' && method !== 'GET') || !key || !KEY.test(key)) {
      await drain(req, 0);
      return reply(res, 404, 'not_found', 'No such file URL');
    }
    const signed: Signed = {
      method,
      key,
      expires: Number(q.get('expires')),
      contentType: q.get('contentType') ?? '',
      extra: (method === 'PUT' ? q.get('size') : q.get('fileName')) ?? '',
    };
    if (!this.verify(signed, q.get('signature') ?? '')) {
      await drain(req, DRAIN_LIMIT);
      return reply(res, 403, 'forbidden', 'The signature does not match this request');
    }
    if (!(signed.expires > this.nowSeconds())) {
      await drain(req, DRAIN_LIMIT);
      return reply(res, 403, 'forbidden', 'The URL has expired');
    }
    return method === 'PUT' ? this.receive(req, res, key, signed.contentType, Number(signed.extra)) : this.send(res, key, signed);
  }

  /** Stores the body under a temporary name and renames it only when it is exactly what was signed. */
  private async receive(req: IncomingMessage, res: ServerResponse, key: string, contentType: string, size: number): Promise<void> {
    const sentType = (req.headers['content-type'] ?? '').trim();
    if (sentType !== contentType) {
      await drain(req, DRAIN_LIMIT);
      return reply(res, 400, 'validation_failed', `Content-Type must be ${contentType}, as declared`);
    }
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && declared > size) {
      await drain(req, DRAIN_LIMIT);
      return reply(res, 413, 'payload_too_large', `The file is larger than the declared ${size} bytes`);
    }
    const file = this.fileOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.part-${randomUUID()}`;
    let received = 0;
    let tooLarge = false;
    const out = createWriteStream(temp);
    try {
      for await (const chunk of req) {
        received += (chunk as Buffer).length;
        if (received > size) tooLarge = true;
        if (tooLarge) {
          if (received > size + DRAIN_LIMIT) break;
          continue;
        }
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
    } finally {
      await new Promise<void>((resolve) => out.end(() => resolve()));
    }
    if (tooLarge || received !== size) {
      await rm(temp, { force: true });
      if (tooLarge) {
        res.setHeader('connection', 'close');
        return reply(res, 413, 'payload_too_large', `The file is larger than the declared ${size} bytes`);
      }
      return reply(res, 400, 'validation_failed', `The file has ${received} bytes; ${size} were declared`);
    }
    await rename(temp, file);
    res.writeHead(200, { etag: `"${randomUUID()}"`, 'content-length': '0' });
    res.end();
  }

  private async send(res: ServerResponse, key: string, signed: Signed): Promise<void> {
    const found = await this.head(key);
    if (!found) return reply(res, 404, 'not_found', 'No such file');
    res.writeHead(200, {
      'content-type': signed.contentType,
      'content-length': String(found.size),
      'content-disposition': contentDisposition(signed.extra),
      'cache-control': 'no-store',
    });
    await pipeline(createReadStream(this.fileOf(key)), res);
  }

  private url(signed: Signed, extraName: 'size' | 'fileName'): string {
    const q = new URLSearchParams({
      expires: String(signed.expires),
      contentType: signed.contentType,
      [extraName]: signed.extra,
      signature: this.sign(signed),
    });
    return `${this.options.baseUrl()}${FILES_PATH}${signed.key}?${q.toString()}`;
  }

  private sign(s: Signed): string {
    return createHmac('sha256', this.secret).update([s.method, s.key, s.expires, s.contentType, s.extra].join('\n')).digest('base64url');
  }

  private verify(s: Signed, signature: string): boolean {
    if (!Number.isFinite(s.expires)) return false;
    const expected = Buffer.from(this.sign(s));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private expiry(seconds: number): number {
    return this.nowSeconds() + seconds;
  }

  private nowSeconds(): number {
    return Math.floor(this.options.clock.now().getTime() / 1000);
  }

  private fileOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`Not an attachment key: ${key}`);
    return path.join(this.options.root, ...key.split('/'));
  }
}

/** One store per local stack: the messaging function signs URLs the gateway route verifies. */
const stores = new WeakMap<LocalDeps, LocalAttachmentStore>();
export function localAttachmentStore(deps: LocalDeps): LocalAttachmentStore {
  let store = stores.get(deps);
  if (!store) {
    store = new LocalAttachmentStore({ root: path.join(deps.dataDir, 'attachments'), baseUrl: deps.apiUrl, clock: deps.clock });
    stores.set(deps, store);
  }
  return store;
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** Reads and drops up to `limit` bytes of a body we refuse, so the client can read our answer. */
async function drain(req: IncomingMessage, limit: number): Promise<void> {
  let seen = 0;
  for await (const chunk of req) {
    seen += (chunk as Buffer).length;
    if (seen > limit) {
      req.destroy();
      return;
    }
  }
}

const safeDecode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};
