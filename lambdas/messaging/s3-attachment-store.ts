import type { HttpRequest } from '@smithy/types';
import { escapeUri, requestTo, resolveEndpoint, SignedRequester, urlOf, type AwsResponse, type Credentials } from '../shared/aws/signed-request.js';
import { contentDisposition, type AttachmentStore } from './attachment-store.js';

/** S3's marker for a presigned URL whose body is not part of the signature. */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty body: HEAD and CopyObject send none. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface S3AttachmentStoreOptions {
  readonly bucketName: string;
  /** @default - process.env.AWS_REGION */
  readonly region?: string;
  /** @default - the function's role credentials from the environment (lambda-credentials.ts) */
  readonly credentials?: Credentials;
  /**
   * Another S3 endpoint, addressed path-style.
   * @default - `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` if set, as the SDK reads them, else
   * virtual-hosted style, `https://<bucket>.s3.<region>.amazonaws.com`
   */
  readonly endpoint?: string;
  /** @default - the signing time is the wall clock */
  readonly now?: () => Date;
  /** @default - globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Backoff base of the retries (lambdas/shared/aws/signed-request.ts). @default 100 ms */
  readonly retryBaseMs?: number;
}

/** A key as a URI path: each segment escaped once (RFC 3986), the slashes kept, as S3 canonicalises it. */
const escapePath = (key: string) => key.split('/').map(escapeUri).join('/');

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
  private readonly s3: SignedRequester;

  constructor(private readonly options: S3AttachmentStoreOptions) {
    // The one signed-request path every hand-signed AWS call takes (signing, retries, fetch);
    // uriEscapePath false: S3 signs the path as sent (already escaped once, below); no checksum
    // header, so a presigned URL carries none.
    this.s3 = new SignedRequester({
      signingName: 's3',
      uriEscapePath: false,
      applyChecksum: false,
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    });
  }

  /**
   * Path-style under a configured endpoint, else virtual-hosted (`<bucket>.s3.<region>.amazonaws.com`).
   * Read at the first request: the environment is the SDK's and is read when the SDK would.
   */
  private get base(): string {
    const configured = this.options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    return configured ? `${configured.replace(/\/+$/, '')}/${this.options.bucketName}` : resolveEndpoint('S3', `${this.options.bucketName}.s3`, this.s3.region, {});
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
    if (res.status >= 300) throw new Error(`S3 HeadObject answered ${res.status}`);
    return { size: Number(res.headers.get('content-length') ?? 0) };
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const res = await this.send(
      this.request('PUT', toKey, { 'x-id': 'CopyObject' }, {
        'x-amz-content-sha256': EMPTY_SHA256,
        'x-amz-copy-source': `${this.options.bucketName}/${escapePath(fromKey)}`,
      }),
    );
    // CopyObject can fail after it answered 200: the error is then in the body.
    if (res.status >= 300 || /<Error>/.test(res.body)) {
      const code = /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? String(res.status);
      throw new Error(`S3 CopyObject failed: ${code}`);
    }
  }

  private request(method: string, key: string, query: Record<string, string>, headers: Record<string, string> = {}): HttpRequest {
    return requestTo(this.base, { method, path: `/${escapePath(key)}`, query, headers });
  }

  private async presign(request: HttpRequest, expiresIn: number, signableHeaders?: Set<string>): Promise<string> {
    // As the S3 presigner: the payload is unsigned, and that marker travels in the query (its
    // spelling is the presigner's, so the URLs are the same to the byte).
    request.headers['X-Amz-Content-Sha256'] = UNSIGNED_PAYLOAD;
    const signed = await this.s3.signer.presign(request, {
      expiresIn,
      signingDate: this.s3.signingDate(),
      unsignableHeaders: new Set(['content-type']),
      ...(signableHeaders ? { signableHeaders } : {}),
    });
    return urlOf(signed);
  }

  /** HEAD and CopyObject are idempotent: retried on a 5xx, a throttle or a dropped connection, as the SDK would. */
  private send(request: HttpRequest): Promise<AwsResponse> {
    return this.s3.send(request);
  }
}
