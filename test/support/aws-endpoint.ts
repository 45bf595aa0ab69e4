import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * A local AWS endpoint for tests of hand-signed requests: it checks each request's SigV4 signature
 * independently of @smithy/signature-v4 (the canonical request, string to sign and signing key
 * written out from AWS's specification with node:crypto), records it, and answers what the test's
 * responder says (as AWS answers: a status, headers, a JSON or XML body).
 */

export const enc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface VerifyOptions {
  /**
   * S3 signs the path as sent; every other service escapes each (already escaped) segment once
   * more in the canonical URI. @default false
   */
  readonly doubleEscapePath?: boolean;
}

/** Whether the request's `Authorization` header is a valid SigV4 signature with `secret`. */
export function verifySigV4(req: { method?: string; url?: string; headers: IncomingHttpHeaders }, body: Buffer, secret: string, options: VerifyOptions = {}): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization));
  if (!auth) return false;
  const [, , day, region, service, signedHeaders, signature] = auth as unknown as string[];
  const url = new URL(req.url!, 'http://x');
  const query = [...url.searchParams.entries()].map(([k, v]) => [enc(k), enc(v)]).sort(([a, av], [b, bv]) => (a! < b! ? -1 : a! > b! ? 1 : av! < bv! ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const names = signedHeaders!.split(';');
  // AWS refuses a signature that does not cover the host and the date.
  if (!names.includes('host') || !names.includes('x-amz-date')) return false;
  const headers = names.map((n) => `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const path = options.doubleEscapePath ? url.pathname.split('/').map(enc).join('/') : url.pathname;
  const payloadHash = typeof req.headers['x-amz-content-sha256'] === 'string' ? req.headers['x-amz-content-sha256'] : createHash('sha256').update(body).digest('hex');
  // A body hash that is signed must be the body's (S3's UNSIGNED-PAYLOAD aside).
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) return false;
  const canonical = [req.method, path, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(day!).digest();
  for (const part of [region!, service!, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly valid: boolean;
  /** The signature's scope: the region and signing name. */
  readonly region?: string;
  readonly service?: string;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON. */
  readonly body?: string | Record<string, unknown>;
}

/** What the endpoint answers a request whose signature is valid. */
export type Responder = (req: SeenRequest) => Answer | Promise<Answer>;

export interface AwsEndpoint {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Replaces the responder (per test). */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** An AWS JSON error as AWS sends it: `x-amzn-errortype` and `__type`, with its `message`. */
export const awsError = (status: number, name: string, message: string): Answer => ({
  status,
  headers: { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazonaws.test/`, 'content-type': 'application/json' },
  body: { __type: name, message },
});

export async function startAwsEndpoint(secret: string, options: VerifyOptions = {}): Promise<AwsEndpoint> {
  const seen: SeenRequest[] = [];
  let responder: Responder = () => ({ status: 200, body: {} });
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const valid = verifySigV4(req, body, secret, options);
      const url = new URL(req.url!, 'http://x');
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization));
      const record: SeenRequest = {
        method: req.method!,
        url: req.url!,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: body.toString('utf8'),
        valid,
        ...(scope ? { region: scope[1]!, service: scope[2]! } : {}),
      };
      seen.push(record);
      const answer = async (): Promise<Answer> =>
        valid ? responder(record) : { status: 403, headers: { 'x-amzn-errortype': 'InvalidSignatureException:' }, body: { message: 'The request signature we calculated does not match the signature you provided.' } };
      void answer().then(({ status, headers = {}, body: out }) => {
        const text = out === undefined ? '' : typeof out === 'string' ? out : JSON.stringify(out);
        res.writeHead(status, { 'x-amzn-requestid': `req-${seen.length}`, ...(typeof out === 'object' ? { 'content-type': 'application/json' } : {}), ...headers });
        res.end(text);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    respond: (r) => void (responder = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * An endpoint for a test file or describe block: started before its tests, closed after them, and
 * before each test emptied of what it saw and answering with `responder` (default: 200 `{}`) until
 * the test says otherwise. Read it inside tests (it exists from `beforeAll` on).
 */
export function useAwsEndpoint(secret: string, options: VerifyOptions & { responder?: Responder } = {}): AwsEndpoint {
  let endpoint: AwsEndpoint | undefined;
  const started = (): AwsEndpoint => {
    if (!endpoint) throw new Error('The AWS endpoint starts in beforeAll: use it inside a test or hook');
    return endpoint;
  };
  beforeAll(async () => {
    endpoint = await startAwsEndpoint(secret, options);
  });
  afterAll(() => endpoint?.close());
  beforeEach(() => {
    started().seen.length = 0;
    started().respond(options.responder ?? (() => ({ status: 200, body: {} })));
  });
  return {
    get url() {
      return started().url;
    },
    get seen() {
      return started().seen;
    },
    respond: (responder) => started().respond(responder),
    close: () => started().close(),
  };
}
