import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest, Provider } from '@smithy/types';
import { defaultProvider } from './lambda-credentials.js';
import { NodeSha256 } from './node-sha256.js';

/**
 * AWS requests signed with SigV4 and sent with `fetch`, for the few calls an API function makes
 * besides DynamoDB (Scheduler, Cognito admin, S3 HEAD/CopyObject), in place of a second SDK client.
 * A client costs its package, its protocol's serde in `@smithy/core` and its own middleware stack
 * in every bundle and cold start (issue 25, docs/cold-starts.md), for requests whose shape never
 * changes. What the SDK would do for those requests is done here, narrowly:
 *
 * - the endpoint as the SDK resolves it: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then
 *   `https://<prefix>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). No FIPS, dual-stack
 *   or other partitions' rules: CareStack runs in none of them.
 * - retries as the SDK's standard mode: 3 attempts, on a 5xx, a 429, a throttling or transient
 *   error name, or a dropped connection, after a full-jitter backoff (random up to 100 ms x 2^n,
 *   500 ms x 2^n when throttled). No client-wide retry quota (the token bucket): one request at a
 *   time per invocation, so it would never run dry.
 * - errors as AWS sends them in the JSON protocols (`x-amzn-errortype`, or `__type` / `code` in the
 *   body) into an `AwsServiceError` whose `name` is the exception's: callers test
 *   `err.name === 'ConflictException'`, as they would test the SDK's exception class.
 *
 * The requests are the SDK's for the same input: test/unit/lambdas/scheduling/aws-scheduler.test.ts
 * and test/unit/lambdas/identity/user-directory.test.ts send each one and the real SDK client's to
 * an endpoint that verifies SigV4 (test/support/aws-endpoint.ts) and compare them (docs/cold-starts.md).
 */

export type Credentials = AwsCredentialIdentity | Provider<AwsCredentialIdentity>;

export interface SignedRequesterOptions {
  /** The SigV4 signing name: `scheduler`, `cognito-idp`, `s3`. */
  readonly signingName: string;
  /** @default - process.env.AWS_REGION */
  readonly region?: string;
  /** @default - the function's role credentials from the environment (lambda-credentials.ts) */
  readonly credentials?: Credentials;
  /**
   * Whether the signer escapes the (already escaped) path once more, as SigV4 asks of every
   * service but S3. @default true
   */
  readonly uriEscapePath?: boolean;
  /** Whether to send (and sign) `x-amz-content-sha256`, as the SDK's clients do. @default true */
  readonly applyChecksum?: boolean;
  /** @default 3 (the SDK's standard mode) */
  readonly maxAttempts?: number;
  /** Base of the backoff (doubled per attempt, jittered). @default 100 ms (500 ms when throttled) */
  readonly retryBaseMs?: number;
  /** @default - the signing time is the wall clock */
  readonly now?: () => Date;
  /** @default - globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A response, read whole (every response these calls get is small), with the error name if any. */
export interface AwsResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** How many attempts it took. */
  readonly attempts: number;
}

/** An error AWS answered, as the SDK's service exceptions carry it. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string; readonly attempts: number };

  constructor(name: string, message: string, metadata: AwsServiceError['$metadata']) {
    super(message);
    this.name = name;
    this.$fault = metadata.httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = metadata;
  }
}

/**
 * Error names the SDK's standard retry mode retries whatever the status (throttling, then
 * transient): the service may answer them with a 400.
 */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** `ns#Name:detail` (the shapes AWS sends a code in) to `Name`. */
const sanitize = (code: string): string => code.split(':')[0]!.split('#').at(-1)!.trim();

/**
 * The error name of a response, as AWS sends it: the `x-amzn-errortype` header, else `__type` or
 * `code` in a JSON body, else `<Code>` in an XML one (S3). Undefined for a success or an unnamed error.
 */
export function errorName(status: number, headers: Headers, body: string): string | undefined {
  if (status < 300) return undefined;
  const header = headers.get('x-amzn-errortype');
  if (header) return sanitize(header);
  const json = parseJson(body);
  const code = json?.__type ?? json?.code ?? json?.Code;
  if (typeof code === 'string' && code) return sanitize(code);
  const xml = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  return xml || undefined;
}

/** An error response as an `AwsServiceError` (the SDK's name for an unnamed one: `Unknown`). */
export function serviceError(res: AwsResponse): AwsServiceError {
  const json = parseJson(res.body);
  const message = json?.message ?? json?.Message ?? json?.errorMessage;
  return new AwsServiceError(errorName(res.status, res.headers, res.body) ?? 'Unknown', typeof message === 'string' ? message : `AWS answered ${res.status}`, {
    httpStatusCode: res.status,
    ...(res.headers.get('x-amzn-requestid') ? { requestId: res.headers.get('x-amzn-requestid')! } : {}),
    attempts: res.attempts,
  });
}

function parseJson(body: string): Record<string, unknown> | undefined {
  if (!body.startsWith('{')) return undefined;
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One path segment or query value escaped as the SDK escapes labels (RFC 3986: `!'()*` too). */
export const escapeUri = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The service endpoint as the SDK resolves it. `service` is the SDK's service id in the variable's
 * spelling (`SCHEDULER`, `COGNITO_IDENTITY_PROVIDER`, `S3`); `prefix` its endpoint prefix.
 */
export function resolveEndpoint(service: string, prefix: string, region: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  return `https://${prefix}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/** A request to `endpoint` (its path, if any, prefixes `path`), with the `host` header SigV4 signs. */
export function requestTo(
  endpoint: string,
  request: { method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string },
): HttpRequest {
  const u = new URL(endpoint);
  return {
    method: request.method,
    protocol: u.protocol,
    hostname: u.hostname,
    ...(u.port ? { port: Number(u.port) } : {}),
    path: `${u.pathname.replace(/\/+$/, '')}${request.path}`,
    query: request.query ?? {},
    headers: { ...request.headers, host: u.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  };
}

/** The URL of a (signed or presigned) request, its query in SigV4's canonical order. */
export function urlOf(r: HttpRequest): string {
  const q = r.query ?? {};
  const query = Object.keys(q)
    .sort()
    .map((k) => `${escapeUri(k)}=${escapeUri(String(q[k]))}`)
    .join('&');
  return `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}${query ? `?${query}` : ''}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signs and sends requests for one service, with the SDK's standard retries. */
export class SignedRequester {
  readonly signer: SignatureV4;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly now: () => Date;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: SignedRequesterOptions) {
    this.signer = new SignatureV4({
      service: options.signingName,
      // Read at the first request, as the SDK reads it: a module that builds one at load never fails there.
      region: async () => this.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: NodeSha256,
      uriEscapePath: options.uriEscapePath ?? true,
      applyChecksum: options.applyChecksum ?? true,
    });
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.now = options.now ?? (() => new Date());
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get region(): string {
    const region = this.options.region ?? process.env.AWS_REGION;
    if (!region) throw new Error('Environment variable AWS_REGION is not set');
    return region;
  }

  /** The signing time a presigned URL should carry. */
  signingDate(): Date {
    return this.now();
  }

  /**
   * Sends `request`, signed afresh for each attempt, and answers the last response, success or
   * not: what an error means is the caller's (S3 answers a missing key with 403 or 404). Throws
   * only when the connection failed on every attempt.
   */
  async send(request: HttpRequest): Promise<AwsResponse> {
    for (let attempt = 1; ; attempt++) {
      let throttled = false;
      // Outside the retries: no credentials or region is no transient failure.
      const signed = await this.signer.sign(request, { signingDate: this.now() });
      // fetch sets host (and content-length) itself; the host it sets is the one signed.
      const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host'));
      try {
        const res = await this.fetch(urlOf(signed), {
          method: signed.method,
          headers,
          ...(signed.body !== undefined ? { body: signed.body as string } : {}),
        });
        const body = await res.text();
        const name = errorName(res.status, res.headers, body);
        throttled = res.status === 429 || (name !== undefined && THROTTLING.has(name));
        const retryable = throttled || res.status >= 500 || (name !== undefined && TRANSIENT.has(name));
        if (!retryable || attempt >= this.maxAttempts) return { status: res.status, headers: res.headers, body, attempts: attempt };
      } catch (err) {
        // A dropped connection or a refused one: retried like the SDK retries a transient error.
        if (attempt >= this.maxAttempts) throw err;
      }
      await sleep(Math.random() * Math.min(20_000, (throttled ? this.retryBaseMs * 5 : this.retryBaseMs) * 2 ** attempt));
    }
  }
}

/**
 * A JSON service (restJson1 or awsJson1.1) at its endpoint: sends, and throws an `AwsServiceError`
 * for an error answer.
 */
export class AwsJsonService {
  readonly requester: SignedRequester;
  private resolved: string | undefined;

  constructor(
    /** The SDK's service id as `AWS_ENDPOINT_URL_<SERVICE>` spells it, and its endpoint prefix. */
    private readonly service: { readonly id: string; readonly endpointPrefix: string },
    private readonly options: SignedRequesterOptions & { readonly endpoint?: string },
  ) {
    this.requester = new SignedRequester(options);
  }

  /** Resolved at the first request (the environment is read then, not at module load). */
  get endpoint(): string {
    return (this.resolved ??= this.options.endpoint ?? resolveEndpoint(this.service.id, this.service.endpointPrefix, this.requester.region));
  }

  /** restJson1: the operation's HTTP method and path (labels escaped by the caller), query and JSON body. */
  async restJson<T = Record<string, unknown>>(method: string, path: string, query: Record<string, string> = {}, body?: Record<string, unknown>): Promise<T> {
    return this.call<T>(
      requestTo(this.endpoint, {
        method,
        path,
        query,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      }),
    );
  }

  /** awsJson1.1: `POST /`, the operation in `X-Amz-Target: <targetPrefix>.<operation>`. */
  async awsJson11<T = Record<string, unknown>>(targetPrefix: string, operation: string, input: Record<string, unknown>): Promise<T> {
    return this.call<T>(
      requestTo(this.endpoint, {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${targetPrefix}.${operation}` },
        body: JSON.stringify(input),
      }),
    );
  }

  private async call<T>(request: HttpRequest): Promise<T> {
    const res = await this.requester.send(request);
    if (res.status >= 300) throw serviceError(res);
    return (res.body ? JSON.parse(res.body) : {}) as T;
  }
}
