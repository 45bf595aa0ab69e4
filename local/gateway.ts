/**
 * The local API Gateway: the HTTP server, the CORS answers, the body limit and the order of the
 * checks in front of a function. Route matching (gateway/match.ts), the proxy event
 * (gateway/event.ts) and the throttle (gateway/throttle.ts) are their own modules.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { ErrorCode } from '../schemas/common.js';
import type { RouteDef } from '../lambdas/routes.js';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '../lambdas/shared/http/cors.js';
import { errorBody as contractErrorBody, errorHeaders } from '../lambdas/shared/http/error-body.js';
import { MAX_BODY_BYTES } from '../lambdas/shared/http/limits.js';
import type { TokenClaims, VerifyToken } from './cognito/token-verifier.js';
import { buildProxyEvent, lambdaContext } from './gateway/event.js';
import { matchRoute } from './gateway/match.js';
import { clientKey, createThrottle, type ThrottleOptions } from './gateway/throttle.js';

export { MAX_BODY_BYTES } from '../lambdas/shared/http/limits.js';
export { matchRoute, type RouteMatch } from './gateway/match.js';
export { buildProxyEvent, claimsAsStrings, isBinaryContentType, lambdaContext, type EventContext, type RawRequest } from './gateway/event.js';
export { createThrottle, type ThrottleOptions } from './gateway/throttle.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default - 127.0.0.1 */
  readonly host?: string;
  readonly routes: readonly RouteDef[];
  /** One handler per function id of the route table; a missing one fails at start. */
  readonly handlers: Readonly<Record<string, ProxyHandler | undefined>>;
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
// CORS

/** The Access-Control-Allow-Origin for a request's Origin, or undefined when it is not allowed. */
export function allowedOrigin(allow: readonly string[] | '*', origin: string | undefined): string | undefined {
  if (allow === '*') return '*';
  return origin !== undefined && allow.includes(origin) ? origin : undefined;
}

// ---------------------------------------------------------------------------------------------
// The server

const errorBody = (code: ErrorCode, message: string) => JSON.stringify(contractErrorBody(code, message));

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
      if (!res.headersSent) send(res, 500, errorBody('internal', 'Internal server error'), errorHeaders('internal'));
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
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS.join(','));
      if (origin !== '*') res.setHeader('Vary', 'Origin');
    }

    if (options.extraRoutes && (await options.extraRoutes(req, res))) return;

    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://local');
    const match = matchRoute(options.routes, method, url.pathname);
    if (match && method === 'OPTIONS') {
      await discard(req);
      res.writeHead(204, {
        // Narrower than API Gateway's fixed list: the methods this resource has.
        'Access-Control-Allow-Methods': [...match.methods, 'OPTIONS'].join(','),
        'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS.join(','),
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
    const fail = (status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) => ({
      status,
      headers: { 'Content-Type': 'application/json', ...errorHeaders(code), ...headers },
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
    const handle = options.handlers[fn];
    let result: APIGatewayProxyResult;
    try {
      if (!handle) throw new Error(`no handler for function ${fn}`);
      result = await handle(event, lambdaContext(fn));
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

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
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
