import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ApiFunctionId } from '../lambdas/functions.js';
import type { RouteDef } from '../lambdas/routes.js';
import type { TokenClaims, VerifyToken } from './cognito/token-verifier.js';

/** API Gateway's limit on a request payload (10 MB) is not the contract's: bodies over 256 KB get 413. */
export const MAX_BODY_BYTES = 262_144;
const ALLOW_HEADERS = 'Authorization,Content-Type,Idempotency-Key';
const LOCAL_ACCOUNT_ID = '000000000000';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default - 127.0.0.1 */
  readonly host?: string;
  readonly routes: readonly RouteDef[];
  /** One handler per function id of the route table; a missing one fails at start. */
  readonly handlers: Readonly<Record<ApiFunctionId, ProxyHandler>>;
  readonly verifyToken: VerifyToken;
  readonly corsAllowOrigins: readonly string[] | '*';
  /** Local-only routes (e.g. /_local/clock), tried before the route table; return true when handled. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** @default - 'local' */
  readonly stage?: string;
  /** @default - console */
  readonly logger?: Pick<Console, 'error'>;
  /**
   * Per-client throttling (a token bucket per token subject, or per source IP without a token):
   * over it, 429 `rate_limited`, as API Gateway's stage throttling answers on AWS. Use the CDK
   * stage's values (`STAGE_THROTTLING` in lib/config.ts) to mirror it.
   * @default - no throttling
   */
  readonly throttle?: ThrottleOptions;
  /** For tests of the throttle. @default - Date.now */
  readonly now?: () => number;
}

export interface ThrottleOptions {
  /** Steady-state requests per second per client. */
  readonly rateLimit: number;
  /** Bucket size: requests a client may make at once. */
  readonly burstLimit: number;
}

/** A request handed to the gateway without a socket (tests call the same path in-process). */
export interface InvokeRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Alternating names and values with their original case. @default [] */
  rawHeaders?: readonly string[];
  body?: Buffer | string;
  /** @default '127.0.0.1' */
  sourceIp?: string;
}

export interface InvokeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  /**
   * Serves one request in-process, through the same route matching, size limit, throttle, token
   * check, proxy event and handler as a request over HTTP (no socket, no CORS preflight, no
   * local-only routes).
   */
  invoke(request: InvokeRequest): Promise<InvokeResponse>;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Route matching, as API Gateway REST resolves resources

export interface RouteMatch {
  /** The resource template, e.g. `/patients/{patientId}`. */
  readonly resource: string;
  /** Methods the resource has. */
  readonly methods: readonly string[];
  /** The route for the request's method, when the resource has it. */
  readonly route?: RouteDef;
  readonly pathParameters: Record<string, string> | null;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((s) => s !== '');

/**
 * Finds the resource a path belongs to. Literal segments beat `{param}` segments, compared from
 * the left (API Gateway's precedence: `/patients/export` wins over `/patients/{patientId}`).
 * Path parameters come back URL-decoded.
 */
export function matchRoute(routes: readonly RouteDef[], method: string, path: string): RouteMatch | undefined {
  const requested = segmentsOf(path);
  let best: { resource: string; rank: number[]; params: Record<string, string> } | undefined;
  for (const resource of new Set(routes.map((r) => r.path))) {
    const template = segmentsOf(resource);
    if (template.length !== requested.length) continue;
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < template.length && ok; i++) {
      const t = template[i]!;
      const actual = requested[i]!;
      const param = /^\{(.+)\}$/.exec(t);
      if (param) {
        params[param[1]!] = safeDecode(actual);
        rank.push(1);
      } else {
        ok = t === actual;
        rank.push(0);
      }
    }
    if (ok && (!best || compareRank(rank, best.rank) < 0)) best = { resource, rank, params };
  }
  if (!best) return undefined;
  const onResource = routes.filter((r) => r.path === best.resource);
  const route = onResource.find((r) => r.method === method);
  return {
    resource: best.resource,
    methods: onResource.map((r) => r.method),
    ...(route ? { route } : {}),
    pathParameters: Object.keys(best.params).length > 0 ? best.params : null,
  };
}

const compareRank = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// The proxy event

/**
 * Claims as a REST API Cognito authorizer hands them to Lambda: every value a string, arrays
 * (`cognito:groups`) joined with ",", numbers and booleans stringified.
 */
export function claimsAsStrings(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String).join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|[^;]*\+(json|xml))/i;
/** Whether a body of this content type goes to Lambda as base64 (binary) rather than as text. */
export const isBinaryContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && contentType.trim() !== '' && !TEXT_TYPES.test(contentType.trim());

export interface RawRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  /** Alternating names and values with their original case (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
}

export interface EventContext {
  requestId: string;
  requestTimeEpoch: number;
  stage: string;
  match: RouteMatch;
  claims?: TokenClaims;
}

/** Builds the event exactly as API Gateway's REST Lambda proxy integration does. */
export function buildProxyEvent(req: RawRequest, ctx: EventContext): APIGatewayProxyEvent {
  const url = new URL(req.url, 'http://local');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const headerValue = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const binary = isBinaryContentType(headerValue('content-type'));
  const body = req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8');
  const path = url.pathname;
  const when = new Date(ctx.requestTimeEpoch);

  return {
    resource: ctx.match.resource,
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: ctx.match.pathParameters,
    stageVariables: null,
    body,
    isBase64Encoded: body !== null && binary,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: 'local',
      authorizer: ctx.claims ? { claims: claimsAsStrings(ctx.claims) } : null,
      domainName: headerValue('host') ?? 'localhost',
      domainPrefix: (headerValue('host') ?? 'localhost').split('.')[0]!.split(':')[0]!,
      extendedRequestId: ctx.requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: headerValue('user-agent') ?? null,
        userArn: null,
      },
      path,
      protocol: 'HTTP/1.1',
      requestId: ctx.requestId,
      requestTime: apiGatewayTime(when),
      requestTimeEpoch: ctx.requestTimeEpoch,
      resourceId: 'local',
      resourcePath: ctx.match.resource,
      stage: ctx.stage,
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `21/Nov/2026:23:30:00 +0000`, API Gateway's requestTime format. */
const apiGatewayTime = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
};

export function lambdaContext(fn: string, timeoutMs = 29_000): Context {
  const functionName = `carestack-local-${fn}`;
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

// ---------------------------------------------------------------------------------------------
// CORS

/** The Access-Control-Allow-Origin for a request's Origin, or undefined when it is not allowed. */
export function allowedOrigin(allow: readonly string[] | '*', origin: string | undefined): string | undefined {
  if (allow === '*') return '*';
  return origin !== undefined && allow.includes(origin) ? origin : undefined;
}

// ---------------------------------------------------------------------------------------------
// The server

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/**
 * Starts the local API Gateway: the route table of the CDK app, the same proxy events and the
 * same handlers. Unknown path: 404 `not_found`; known path, other method: 405 `method_not_allowed`
 * (API Gateway REST answers both with 403 "Missing Authentication Token"; the contract's shape is
 * kinder to clients). Roles are not checked here: on AWS the function checks them, so it does here.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const missing = [...new Set(options.routes.map((r) => r.fn))].filter((fn) => typeof options.handlers[fn] !== 'function');
  if (missing.length > 0) throw new Error(`startGateway: no handler for function(s) ${missing.join(', ')}`);
  const log = options.logger ?? console;
  const stage = options.stage ?? 'local';

  const throttle = options.throttle ? createThrottle(options.throttle, options.now ?? Date.now) : undefined;

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      log.error('[gateway] unexpected error', err);
      if (!res.headersSent) send(res, 500, errorBody('internal', 'Internal server error'));
      else res.end();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const requestTimeEpoch = Date.now();
    res.setHeader('x-request-id', requestId);
    const origin = allowedOrigin(options.corsAllowOrigins, req.headers.origin);
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'x-request-id');
      if (origin !== '*') res.setHeader('Vary', 'Origin');
    }

    if (options.extraRoutes && (await options.extraRoutes(req, res))) return;

    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://local');
    const match = matchRoute(options.routes, method, url.pathname);
    if (match && method === 'OPTIONS') {
      await discard(req);
      res.writeHead(204, {
        'Access-Control-Allow-Methods': [...match.methods, 'OPTIONS'].join(','),
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    // Bodies of requests that end before the handler are drained, not kept.
    const body = match?.route ? await readBody(req, MAX_BODY_BYTES) : await discard(req).then(() => Buffer.alloc(0));
    const out = await respond(
      { method, url: req.url ?? '/', rawHeaders: req.rawHeaders, body, sourceIp: normaliseIp(req.socket.remoteAddress) },
      requestId,
      requestTimeEpoch,
    );
    for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
    res.statusCode = out.status;
    res.end(out.body);
  }

  /** Everything after the socket: route, size limit, throttle, token, proxy event, handler. */
  async function respond(
    req: { method: string; url: string; rawHeaders: readonly string[]; body: Buffer | 'too_large'; sourceIp: string },
    requestId: string,
    requestTimeEpoch: number,
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: string | Buffer }> {
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => ({
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: errorBody(code, message),
    });
    const { method } = req;
    const url = new URL(req.url, 'http://local');
    const match = matchRoute(options.routes, method, url.pathname);
    if (!match) return fail(404, 'not_found', `No route for ${url.pathname}`);
    if (!match.route) {
      return fail(405, 'method_not_allowed', `${method} is not allowed on ${match.resource}`, {
        Allow: [...match.methods, 'OPTIONS'].join(', '),
      });
    }
    if (req.body === 'too_large' || req.body.length > MAX_BODY_BYTES) {
      return fail(413, 'payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    }

    const authorization = headerOf(req.rawHeaders, 'authorization');
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (throttle && !throttle.take(clientKey(token, req.sourceIp))) {
      return fail(429, 'rate_limited', 'Too many requests', { 'Retry-After': '1' });
    }

    let claims: TokenClaims | undefined;
    if (match.route.auth) {
      if (!token) return fail(401, 'unauthenticated', 'Missing Authorization header');
      try {
        claims = await options.verifyToken(token);
      } catch {
        return fail(401, 'unauthenticated', 'The token is missing, invalid or expired');
      }
    }

    const event = buildProxyEvent(
      { method, url: req.url, rawHeaders: req.rawHeaders, body: req.body, sourceIp: req.sourceIp },
      { requestId, requestTimeEpoch, stage, match, ...(claims ? { claims } : {}) },
    );
    const fn = match.route.fn;
    let result: APIGatewayProxyResult;
    try {
      result = await options.handlers[fn](event, lambdaContext(fn));
    } catch (err) {
      log.error(`[gateway] ${fn} threw on ${method} ${match.resource} (request ${requestId})`, err);
      return fail(500, 'internal', 'Internal server error');
    }
    if (!result || typeof result.statusCode !== 'number') {
      // API Gateway answers a malformed proxy response with 502.
      log.error(`[gateway] ${fn} returned a malformed proxy result (request ${requestId})`, result);
      return fail(502, 'internal', 'Internal server error');
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k] = v.map(String);
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
    return {
      status: result.statusCode,
      headers,
      body: result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''),
    };
  }

  async function invoke(request: InvokeRequest): Promise<InvokeResponse> {
    const requestId = randomUUID();
    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : (request.body ?? Buffer.alloc(0));
    const out = await respond(
      { method: request.method, url: request.url, rawHeaders: request.rawHeaders ?? [], body, sourceIp: request.sourceIp ?? '127.0.0.1' },
      requestId,
      Date.now(),
    );
    const headers: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of Object.entries(out.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    return { status: out.status, headers, body: Buffer.isBuffer(out.body) ? out.body.toString('utf8') : out.body };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    invoke,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const headerOf = (rawHeaders: readonly string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1];
  return undefined;
};

/**
 * Who a request counts against: the token's subject (read without verifying: a forged token only
 * spends its own bucket, and is refused with 401 anyway), else the source IP.
 */
function clientKey(token: string | undefined, sourceIp: string): string {
  const payload = token?.split('.')[1];
  if (payload) {
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && sub) return `sub:${sub}`;
    } catch {
      // not a JWT: counted by address
    }
  }
  return `ip:${sourceIp}`;
}

/** Token buckets per client: `burstLimit` tokens, refilled at `rateLimit` per second. */
export function createThrottle(limits: ThrottleOptions, now: () => number = Date.now) {
  if (!(limits.rateLimit > 0) || !(limits.burstLimit >= 1)) {
    throw new Error(`throttle: rateLimit must be > 0 and burstLimit >= 1; got ${JSON.stringify(limits)}`);
  }
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client: string): boolean {
      const t = now();
      const bucket = buckets.get(client) ?? { tokens: limits.burstLimit, at: t };
      bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + ((t - bucket.at) / 1000) * limits.rateLimit);
      bucket.at = t;
      buckets.set(client, bucket);
      if (buckets.size > 10_000) buckets.delete(buckets.keys().next().value!); // bounded memory
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body);
}

/** Reads the body up to `limit` bytes; past it, drains the rest and answers 'too_large'. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    await discard(req);
    return 'too_large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? 'too_large' : Buffer.concat(chunks);
}

async function discard(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // drained so that keep-alive connections stay usable
  }
}

const normaliseIp = (ip: string | undefined): string => (ip ?? '127.0.0.1').replace(/^::ffff:/, '');
