/**
 * The local attachment store and its signed URLs, served by a bare HTTP server on loopback the way
 * the local gateway serves them: exact type and size on upload, 403 for a wrong or expired
 * signature, nothing partial kept, bytes back unchanged.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAttachmentStore } from '../../../local/attachment-files.js';
import { manualClock } from '../../unit/lambdas/support/api-events.js';

let root: string;
let server: Server;
let store: LocalAttachmentStore;
const clock = manualClock('2025-03-01T10:00:00.000Z');
const key = 'pending/org-1/ATT1';
const file = randomBytes(2048);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'carestack-files-'));
  let base = '';
  store = new LocalAttachmentStore({ root, baseUrl: () => base, clock });
  server = createServer((req, res) => {
    void Promise.resolve(store.route(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(root, { recursive: true, force: true });
});

const put = (url: string, body: Buffer, contentType = 'application/pdf') => fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
const stored = async () => (await readdir(path.join(root, 'pending', 'org-1')).catch(() => [] as string[])).filter((f) => f.startsWith('ATT1'));

describe('local signed URLs', () => {
  it('refuses a forged signature, another size or type, an oversize body, and keeps nothing partial', async () => {
    const url = await store.uploadUrl({ key, contentType: 'application/pdf', size: file.length, expiresInSeconds: 900 });
    const forged = url.replace(/signature=[^&]+/, 'signature=xyz');
    expect((await put(forged, file)).status).toBe(403);
    const bigger = new URL(url);
    bigger.searchParams.set('size', String(file.length * 2));
    expect((await put(bigger.toString(), Buffer.concat([file, file]))).status).toBe(403);
    expect((await put(url, file, 'text/plain')).status).toBe(400);
    expect((await put(url, Buffer.concat([file, Buffer.alloc(1)]))).status).toBe(413);
    expect((await put(url, file.subarray(1))).status).toBe(400);
    expect(await stored()).toEqual([]);
    expect(await store.head(key)).toBeUndefined();
  });

  it('stores exactly the declared file and serves it back through a download URL, until the URLs expire', async () => {
    const upload = await store.uploadUrl({ key, contentType: 'application/pdf', size: file.length, expiresInSeconds: 900 });
    expect((await put(upload, file)).status).toBe(200);
    expect(await store.head(key)).toEqual({ size: file.length });
    expect(await stored()).toEqual(['ATT1']);

    const download = await store.downloadUrl({ key, fileName: 'plan.pdf', contentType: 'application/pdf', expiresInSeconds: 300 });
    const res = await fetch(download);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('filename="plan.pdf"');
    expect(Buffer.from(await res.arrayBuffer()).equals(file)).toBe(true);
    expect((await fetch(download, { method: 'PUT', body: file })).status).toBe(403); // a GET URL cannot upload

    clock.set('2025-03-01T10:05:01.000Z');
    expect((await fetch(download)).status).toBe(403);
    expect((await put(upload, file)).status).toBe(200); // the upload URL lives 15 minutes
    clock.set('2025-03-01T10:15:01.000Z');
    expect((await put(upload, file)).status).toBe(403);
  });

  it('copies within the store and never leaves its folder', async () => {
    await store.copy(key, 'files/org-1/ATT1');
    expect(await store.head('files/org-1/ATT1')).toEqual({ size: file.length });
    await expect(store.head('../../etc/passwd')).resolves.toBeUndefined();
    expect((await fetch(`${(await store.downloadUrl({ key, fileName: 'x', contentType: 'text/plain', expiresInSeconds: 60 })).replace('pending/org-1/ATT1', '..%2F..%2Fetc%2Fpasswd')}`)).status).toBe(404);
  });
});
