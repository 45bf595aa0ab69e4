import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest, Provider } from '@smithy/types';
import { NodeSha256 } from '../shared/aws/node-sha256.js';
import { contentDisposition, type AttachmentStore } from './attachment-store.js';

/** S3's marker for a presigned URL whose body is not part of the signature. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty body: HEAD and CopyObject send none. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** HEAD and CopyObject are idempotent: retried on a 5xx, a throttle or a dropped connection, as the SDK would. */
const ATTEMPTS = 3;

export interface S3AttachmentStoreOptions {
  readonly bucketName: string;
  readonly region: string;
  /** The function's role credentials (on Lambda: the environment, `fromEnv`). */
  readonly credentials: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  /**
   * Another S3 endpoint (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`), addressed path-style.
   * @default - virtual-hosted style, `https://<bucket>.s3.<region>.amazonaws.com`
   */
  readonly endpoint?: string;
  /** @default - the signing time is the wall clock */
  readonly now?: () => Date;
  /** @default - globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A key as a URI path: each segment escaped once (RFC 3986), the slashes kept, as S3 canonicalises it. */
const escapePath = (key: string) =>
  key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
const escapeQuery = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Attachments in the private, KMS-encrypted S3 bucket, reached by presigned URLs, with the SigV4
 * signer alone rather than the S3 client: the client and its presigner were 98 KB of the messaging
 * bundle and most of its cold start over the floor (issue 25, docs/cold-starts.md), for four
 * requests whose shape never changes. The URLs are the ones `getSignedUrl` of
 * `@aws-sdk/s3-request-presigner` makes for the same commands (a unit test compares them byte for
 * byte with a fixed clock, and checks AWS's published SigV4 example).
 *
 * The upload URL signs `content-type` and `content-length`, so S3 refuses a PUT of another type or
 * size with 403, and carries no flexible checksum (a checksum of the empty body would be signed
 * into the URL and no real upload would match it).
 */
export class S3AttachmentStore implements AttachmentStore {
  private readonly signer: SignatureV4;
  private readonly base: { protocol: string; hostname: string; port?: number; prefix: string };
  private readonly now: () => Date;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: S3AttachmentStoreOptions) {
    // uriEscapePath false: S3 signs the path as sent (already escaped once, below).
    this.signer = new SignatureV4({ service: 's3', region: options.region, credentials: options.credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
    if (options.endpoint) {
      const u = new URL(options.endpoint);
      this.base = { protocol: u.protocol, hostname: u.hostname, ...(u.port ? { port: Number(u.port) } : {}), prefix: `${u.pathname.replace(/\/+$/, '')}/${options.bucketName}/` };
    } else {
      this.base = { protocol: 'https:', hostname: `${options.bucketName}.s3.${options.region}.amazonaws.com`, prefix: '/' };
    }
    this.now = options.now ?? (() => new Date());
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async uploadUrl(request: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<string> {
    return this.presign(
      this.request('PUT', request.key, { 'x-id': 'PutObject' }, { 'content-type': request.contentType, 'content-length': String(request.size) }),
      request.expiresInSeconds,
      new Set(['content-type', 'content-length']),
    );
  }

  async downloadUrl(request: { key: string; fileName: string; contentType: string; expiresInSeconds: number }): Promise<string> {
    return this.presign(
      this.request('GET', request.key, {
        'response-content-disposition': contentDisposition(request.fileName),
        'response-content-type': request.contentType,
        'x-id': 'GetObject',
      }),
      request.expiresInSeconds,
    );
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const res = await this.send(this.request('HEAD', key, {}, { 'x-amz-content-sha256': EMPTY_SHA256 }));
    // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404.
    if (res.status === 404 || res.status === 403) return undefined;
    if (!res.ok) throw new Error(`S3 HeadObject answered ${res.status}`);
    return { size: Number(res.headers.get('content-length') ?? 0) };
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const res = await this.send(
      this.request('PUT', toKey, { 'x-id': 'CopyObject' }, {
        'x-amz-content-sha256': EMPTY_SHA256,
        'x-amz-copy-source': `${this.options.bucketName}/${escapePath(fromKey)}`,
      }),
    );
    const body = await res.text();
    // CopyObject can fail after it answered 200: the error is then in the body.
    if (!res.ok || /<Error>/.test(body)) {
      const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? String(res.status);
      throw new Error(`S3 CopyObject failed: ${code}`);
    }
  }

  private request(method: string, key: string, query: Record<string, string>, headers: Record<string, string> = {}): HttpRequest {
    const host = this.base.port ? `${this.base.hostname}:${this.base.port}` : this.base.hostname;
    return {
      method,
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      ...(this.base.port ? { port: this.base.port } : {}),
      path: `${this.base.prefix}${escapePath(key)}`,
      query,
      headers: { ...headers, host },
    };
  }

  private async presign(request: HttpRequest, expiresIn: number, signableHeaders?: Set<string>): Promise<string> {
    // As the S3 presigner: the payload is unsigned, and that marker travels in the query (its
    // spelling is the presigner's, so the URLs are the same to the byte).
    request.headers['X-Amz-Content-Sha256'] = UNSIGNED_PAYLOAD;
    const signed = await this.signer.presign(request, {
      expiresIn,
      signingDate: this.now(),
      unsignableHeaders: new Set(['content-type']),
      ...(signableHeaders ? { signableHeaders } : {}),
    });
    return this.url(signed);
  }

  private url(r: HttpRequest): string {
    const q = r.query ?? {};
    const query = Object.keys(q)
      .sort()
      .map((k) => `${escapeQuery(k)}=${escapeQuery(String(q[k]))}`)
      .join('&');
    return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}${query ? `?${query}` : ''}`;
  }

  private async send(request: HttpRequest): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const signed = await this.signer.sign(request, { signingDate: this.now() });
      const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host'));
      try {
        const res = await this.fetch(this.url(signed), { method: signed.method, headers });
        if ((res.status >= 500 || res.status === 429) && attempt < ATTEMPTS) {
          await res.body?.cancel();
          await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
          continue;
        }
        return res;
      } catch (err) {
        if (attempt >= ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
  }
}
