import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { WebSocketServer, WebSocket } from 'ws';
import type { CareEvent } from '../../lambdas/shared/events/care-event.js';
import type { TokenClaims, VerifyToken } from '../cognito/token-verifier.js';
import { prepareDocument, runGraphql, type LocalGraphqlOptions } from '../graphql/execute.js';
import type { ResolverModule } from '../graphql/resolver-runtime.js';
import { buildAppSyncSchema, parseSubscription, projectEvent, SubscriptionRequestError, type ParsedSubscription, type SubscriptionField } from './schema.js';

export type SubscriptionDecision = { allowed: boolean; filter?: Record<string, string> };
/** Decides at `start` whether the caller may subscribe (the subscription resolver's job on AWS). */
export type AuthorizeSubscription = (claims: TokenClaims, fieldName: SubscriptionField, args: Record<string, unknown>) => Promise<SubscriptionDecision>;

export interface RealtimeServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default - 127.0.0.1 */
  readonly host?: string;
  readonly verifyToken: VerifyToken;
  /** The AppSync schema (the local stack gives schemas/api.graphql: realtime plus every route field). */
  readonly schemaSdl: string;
  readonly authorizeSubscription: AuthorizeSubscription;
  /** Listen with TLS (wss:// and https://), e.g. for Amplify, which always connects with wss://. @default - plain HTTP */
  readonly tls?: { key: string | Buffer; cert: string | Buffer };
  /** @default - 60 s */
  readonly keepAliveIntervalMs?: number;
  /** Sent in connection_ack. @default - 300000, AppSync's value */
  readonly connectionTimeoutMs?: number;
  /** @default - console */
  readonly logger?: Pick<Console, 'error'>;
  /**
   * The queries and mutations beyond the realtime API's own (schemas/api.graphql): the shared
   * resolver and how to invoke the function behind a field (local/graphql/). @default - none
   */
  readonly fields?: Pick<LocalGraphqlOptions, 'resolver' | 'invoke'>;
  /** Answer introspection queries (off as in the prod stage's AppSync API). @default true */
  readonly introspection?: boolean;
}

/** Without generated fields every root field is the realtime API's own; none reaches a resolver. */
const NO_RESOLVER: ResolverModule = {
  request: () => {
    throw new Error('no resolver');
  },
  response: () => null,
};

export interface RealtimeServer {
  /** `http(s)://host:port/graphql` */
  readonly graphqlUrl: string;
  /** `ws(s)://host:port/graphql/realtime` */
  readonly realtimeUrl: string;
  readonly port: number;
  /** Delivers an event to every subscription whose filter it matches (what the bus rule calls). */
  publish(event: CareEvent): void;
  /** Ends the user's onPatientEvent subscriptions to the patient with `complete`; returns how many. */
  revokePatientAccess(patientId: string, userId: string): number;
  stop(): Promise<void>;
}

interface Subscription {
  id: string;
  parsed: ParsedSubscription;
  claims: TokenClaims;
  filter: Record<string, string>;
}

interface Connection {
  ws: WebSocket;
  /** The token of the handshake header, when it verified. */
  token?: string;
  claims?: TokenClaims;
  subscriptions: Map<string, Subscription>;
  keepAlive?: NodeJS.Timeout;
  /** Messages are handled one after the other, after the handshake token has been checked. */
  queue: Promise<void>;
}

type AppSyncError = { errorType?: string; message: string; errorCode?: number };

const PROTOCOL = 'graphql-ws';
const REALTIME_PATHS = new Set(['/graphql/realtime', '/graphql']);

/** The Authorization of an AppSync auth header object (`{ Authorization, host }`), base64 or base64url JSON. */
export function authorizationFromHeader(encoded: string | undefined): string | undefined {
  if (!encoded) return undefined;
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
    const value = header.Authorization ?? header.authorization;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

const bareToken = (authorization: string): string => authorization.replace(/^Bearer\s+/i, '').trim();

/**
 * Starts the local AppSync endpoint: AppSync's realtime WebSocket protocol at
 * `/graphql/realtime` (subprotocol `graphql-ws`; auth header as `?header=...&payload=e30=` or as a
 * `header-<base64url>` subprotocol) and `POST /graphql` for queries and mutations
 * (local/graphql/execute.ts).
 */
export async function startRealtimeServer(options: RealtimeServerOptions): Promise<RealtimeServer> {
  const schema = buildAppSyncSchema(options.schemaSdl);
  if (!schema.getSubscriptionType()) throw new Error('startRealtimeServer: the schema has no Subscription type');
  const log = options.logger ?? console;
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 60_000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 300_000;
  const connections = new Set<Connection>();

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    serveHttp(req, res).catch((err: unknown) => {
      log.error('[realtime] unexpected error', err);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ errorType: 'InternalFailure', message: 'An internal failure occurred' }] });
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (!REALTIME_PATHS.has(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  function send(conn: Connection, message: Record<string, unknown>): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
  }

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const conn: Connection = { ws, subscriptions: new Map(), queue: Promise.resolve() };
    connections.add(conn);
    ws.on('close', () => {
      clearInterval(conn.keepAlive);
      conn.subscriptions.clear();
      connections.delete(conn);
    });
    ws.on('error', () => ws.terminate());

    if (ws.protocol !== PROTOCOL) {
      // What AppSync answers a client that did not ask for graphql-ws.
      send(conn, { type: 'connection_error', payload: { errors: [{ message: 'SubProtocolNotSupportedError', errorCode: 400 }] } });
      ws.close(1002, 'SubProtocolNotSupportedError');
      return;
    }

    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const fromSubprotocol = offered.find((p) => p.startsWith('header-'))?.slice('header-'.length);
    const fromQuery = new URL(req.url ?? '/', 'http://local').searchParams.get('header') ?? undefined;
    const authorization = authorizationFromHeader(fromSubprotocol) ?? authorizationFromHeader(fromQuery);
    conn.queue = (async () => {
      if (!authorization) return;
      try {
        conn.claims = await options.verifyToken(bareToken(authorization));
        conn.token = authorization;
      } catch {
        // refused at connection_init, as AppSync does
      }
    })();

    ws.on('message', (raw) => {
      conn.queue = conn.queue
        .then(() => onMessage(conn, (Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? Buffer.from(raw) : raw).toString()))
        .catch((err: unknown) => log.error('[realtime] message handling failed', err));
    });
  }

  function refuseConnection(conn: Connection): void {
    send(conn, {
      type: 'connection_error',
      payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
    });
    conn.ws.close(1000);
  }

  async function onMessage(conn: Connection, text: string): Promise<void> {
    let message: { type?: unknown; id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      send(conn, { type: 'error', payload: { errors: [{ errorType: 'MalformedRequestException', message: 'The message is not JSON' }] } });
      return;
    }
    switch (message.type) {
      case 'connection_init': {
        if (!conn.claims) return refuseConnection(conn);
        send(conn, { type: 'connection_ack', payload: { connectionTimeoutMs } });
        send(conn, { type: 'ka' });
        clearInterval(conn.keepAlive);
        conn.keepAlive = setInterval(() => send(conn, { type: 'ka' }), keepAliveIntervalMs);
        return;
      }
      case 'start':
        if (!conn.claims) return refuseConnection(conn);
        return start(conn, message.id, message.payload);
      case 'stop': {
        if (typeof message.id !== 'string') return;
        conn.subscriptions.delete(message.id);
        send(conn, { type: 'complete', id: message.id });
        return;
      }
      case 'ka':
        return;
      default:
        send(conn, {
          type: 'error',
          ...(typeof message.id === 'string' ? { id: message.id } : {}),
          payload: { errors: [{ errorType: 'UnsupportedOperation', message: `Unknown message type ${String(message.type)}` }] },
        });
    }
  }

  async function start(conn: Connection, id: unknown, payload: unknown): Promise<void> {
    const fail = (subscriptionId: string, error: AppSyncError) => send(conn, { type: 'error', id: subscriptionId, payload: { errors: [error] } });
    if (typeof id !== 'string' || id === '') {
      send(conn, { type: 'error', payload: { errors: [{ errorType: 'MalformedRequestException', message: 'start needs an id' }] } });
      return;
    }
    if (conn.subscriptions.has(id)) return fail(id, { errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` });

    const p = (payload ?? {}) as { data?: unknown; extensions?: { authorization?: { Authorization?: unknown } } };
    let parsed: ParsedSubscription;
    try {
      const request = typeof p.data === 'string' ? (JSON.parse(p.data) as Record<string, unknown>) : {};
      parsed = parseSubscription(schema, request);
    } catch (err) {
      if (err instanceof SubscriptionRequestError) return fail(id, { errorType: err.errorType, message: err.message });
      return fail(id, { errorType: 'MalformedRequestException', message: 'payload.data must be a JSON string of { query, variables }' });
    }

    const given = p.extensions?.authorization?.Authorization;
    let claims: TokenClaims;
    try {
      claims = typeof given === 'string' && given !== '' ? await options.verifyToken(bareToken(given)) : conn.claims!;
    } catch {
      return fail(id, { errorType: 'UnauthorizedException', message: 'Permission denied' });
    }

    let decision: SubscriptionDecision;
    try {
      decision = await options.authorizeSubscription(claims, parsed.fieldName, parsed.args);
    } catch (err) {
      log.error(`[realtime] authorizeSubscription failed for ${parsed.fieldName}`, err);
      return fail(id, { errorType: 'InternalFailure', message: 'An internal failure occurred while authorizing the subscription' });
    }
    if (!decision.allowed) return fail(id, { errorType: 'Unauthorized', message: `Not Authorized to access ${parsed.fieldName} on type Subscription` });

    // The filters the subscription resolver sets on AWS; the authorizer may add to them, never loosen them.
    const orgId = typeof claims['custom:orgId'] === 'string' ? claims['custom:orgId'] : '';
    const base: Record<string, string> =
      parsed.fieldName === 'onPatientEvent' ? { orgId, patientId: String(parsed.args.patientId) } : { orgId, recipientId: claims.sub };
    conn.subscriptions.set(id, { id, parsed, claims, filter: { ...decision.filter, ...base } });
    send(conn, { type: 'start_ack', id });
  }

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Access-Control-Allow-Origin', '*');
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path !== '/graphql') return sendJson(res, 404, { errors: [{ errorType: 'NotFound', message: `No route for ${path}` }] });
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'content-type, authorization, x-amz-user-agent, x-amz-date, x-api-key',
        'Access-Control-Max-Age': '86400',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ errorType: 'MethodNotAllowed', message: 'Use POST' }] });

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const authorization = req.headers.authorization;
    let claims: TokenClaims | undefined;
    try {
      claims = authorization ? await options.verifyToken(bareToken(authorization)) : undefined;
    } catch {
      claims = undefined;
    }
    if (!claims) return sendJson(res, 401, { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] });

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: [{ errorType: 'MalformedHttpRequestException', message: 'The body is not JSON' }] });
    }
    if (typeof body.query !== 'string') return sendJson(res, 400, { errors: [{ errorType: 'MalformedHttpRequestException', message: 'No query' }] });
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const graphql: LocalGraphqlOptions = { schema, resolver: options.fields?.resolver ?? NO_RESOLVER, invoke: options.fields?.invoke ?? (() => undefined), logger: log, introspection: options.introspection ?? true };
    // Parsed once (and remembered by text); a syntax error is answered by runGraphql in AppSync's shape.
    const operations = (prepareDocument(graphql, body.query).document?.definitions ?? []).filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
    if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
      return sendJson(res, 400, { errors: [{ errorType: 'UnsupportedOperation', message: 'Subscribe over the realtime endpoint' }] });
    }
    const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k.toLowerCase(), v]] : [])));
    // As AppSync: the request id in a response header; the functions audit under it.
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const result = await runGraphql(
      graphql,
      { query: body.query, variables: body.variables, operationName: body.operationName },
      { claims, headers, requestId },
    );
    return sendJson(res, 200, result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const secure = options.tls !== undefined;
  const graphqlUrl = `${secure ? 'https' : 'http'}://${urlHost}:${port}/graphql`;

  return {
    graphqlUrl,
    realtimeUrl: `${secure ? 'wss' : 'ws'}://${urlHost}:${port}/graphql/realtime`,
    port,
    publish(event) {
      for (const conn of connections) {
        for (const sub of conn.subscriptions.values()) {
          const matches = Object.entries(sub.filter).every(([key, value]) => fieldText((event as unknown as Record<string, unknown>)[key]) === value);
          if (!matches) continue;
          try {
            send(conn, { type: 'data', id: sub.id, payload: { data: projectEvent(schema, sub.parsed, event) } });
          } catch (err) {
            log.error(`[realtime] could not project ${event.type} ${event.id} for subscription ${sub.id}`, err);
          }
        }
      }
    },
    revokePatientAccess(patientId, userId) {
      let ended = 0;
      for (const conn of connections) {
        for (const sub of [...conn.subscriptions.values()]) {
          if (sub.parsed.fieldName === 'onPatientEvent' && sub.parsed.args.patientId === patientId && sub.claims.sub === userId) {
            conn.subscriptions.delete(sub.id);
            // An invalidated AppSync subscription ends with `complete` for its id.
            send(conn, { type: 'complete', id: sub.id });
            ended++;
          }
        }
      }
      return ended;
    },
    async stop() {
      for (const conn of connections) {
        clearInterval(conn.keepAlive);
        conn.ws.terminate();
      }
      connections.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** A published field as a subscription filter compares it: absent is '', a scalar its text. */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
