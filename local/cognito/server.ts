import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { appClientInput, passwordPolicyInput } from '../../lib/user-pool-definition.js';
import { CognitoError } from './errors.js';
import { fileStore, memoryStore } from './state.js';
import { poolJwks } from './tokens.js';
import { LocalUserPools, type CodeDelivery, type LocalPoolTriggers, type PostAuthenticationHook } from './user-pools.js';

export interface LocalUserPoolOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** @default - 127.0.0.1 */
  readonly host?: string;
  /** @default - state lives in memory and is lost on stop */
  readonly stateFile?: string;
  /** @default - us-east-1 */
  readonly region?: string;
  /**
   * Base URL that clients use to reach the pool; the token issuer is `<endpoint>/<userPoolId>`.
   * @default - http://<host>:<port>
   */
  readonly publicEndpoint?: string;
  /** @default - no trigger */
  readonly postAuthentication?: PostAuthenticationHook;
  /** Pre-sign-up, post-confirmation, pre-token-generation (V2_0) and post-authentication. @default - none */
  readonly triggers?: LocalPoolTriggers;
  /** Where sign-up confirmation codes go (the outbox). @default - the console */
  readonly deliverCode?: CodeDelivery;
  /** @default 24 hours, as Cognito */
  readonly confirmationCodeTtlMs?: number;
}

/**
 * The CareStack pool and app client, from the module the CDK pool is built from
 * (lib/user-pool-definition.ts): password policy, flows, write attributes (never custom:orgId /
 * custom:patientId), token lifetimes, user existence errors.
 */
const CARE_POOL_INPUT: Record<string, unknown> = passwordPolicyInput();
const { GenerateSecret: _createOnly, ...CARE_CLIENT_UPDATE } = appClientInput();
const CARE_CLIENT_INPUT = appClientInput();

export interface LocalUserPool {
  /** Where the AWS SDK's `endpoint` points and where the JWKS is served. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** `<endpoint>/<userPoolId>`, the `iss` of the pool's tokens. */
  issuer(userPoolId: string): string;
  /** `<issuer>/.well-known/jwks.json` */
  jwksUri(userPoolId: string): string;
  /** The pool's public keys, for a verifier that should not fetch them over HTTP. */
  jwks(userPoolId: string): { keys: import('jose').JWK[] };
  /** Pools kept in the state file (a restarted stack reuses its pool). */
  listPools(): { id: string; name: string; clientIds: string[] }[];
  /**
   * The pool named `poolName` with the CDK pool's password policy (or `createPoolInput`) and a
   * client named `clientName` with the CDK app client's settings, created when missing and brought
   * up to those settings when not (a state file from before keeps its ids, not its old policy).
   */
  ensurePool(poolName: string, clientName: string, createPoolInput?: Record<string, unknown>): Promise<{ userPoolId: string; clientId: string }>;
  /** Calls an operation in process, exactly as the HTTP API would. */
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

/**
 * Starts a local user pool that speaks Cognito Identity Provider's JSON 1.1 API, so the real
 * `@aws-sdk/client-cognito-identity-provider` client works against it with `endpoint` set
 * (admin calls are signed by the SDK; any credentials do, signatures are not checked).
 */
export async function startLocalUserPool(options: LocalUserPoolOptions): Promise<LocalUserPool> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  let endpoint = '';
  const pools = new LocalUserPools({
    store: options.stateFile ? fileStore(options.stateFile) : memoryStore(),
    region,
    issuerFor: (id) => `${endpoint}/${id}`,
    ...(options.postAuthentication ? { postAuthentication: options.postAuthentication } : {}),
    ...(options.triggers ? { triggers: options.triggers } : {}),
    ...(options.deliverCode ? { deliverCode: options.deliverCode } : {}),
    ...(options.confirmationCodeTtlMs !== undefined ? { confirmationCodeTtlMs: options.confirmationCodeTtlMs } : {}),
  });
  await pools.load();

  const server = createServer((req, res) => {
    handle(pools, (id) => `${endpoint}/${id}`, req, res).catch((err: unknown) => {
      console.error('[cognito] unexpected error', err);
      if (!res.headersSent) sendError(res, new CognitoError('InternalErrorException', 'Internal error', 500));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  endpoint = options.publicEndpoint?.replace(/\/$/, '') ?? `http://${urlHost}:${port}`;

  return {
    endpoint,
    port,
    region,
    issuer: (id) => `${endpoint}/${id}`,
    jwksUri: (id) => `${endpoint}/${id}/.well-known/jwks.json`,
    jwks: (id) => poolJwks(pools.pool(id)),
    listPools: () => pools.list(),
    async ensurePool(poolName, clientName, createPoolInput = CARE_POOL_INPUT) {
      let pool = pools.list().find((p) => p.name === poolName);
      if (pool) {
        await pools.call('UpdateUserPool', { ...createPoolInput, UserPoolId: pool.id });
      } else {
        const out = await pools.call('CreateUserPool', { ...createPoolInput, PoolName: poolName });
        pool = { id: (out.UserPool as { Id: string }).Id, name: poolName, clientIds: [] };
      }
      const userPoolId = pool.id;
      for (const clientId of pool.clientIds) {
        const described = await pools.call('DescribeUserPoolClient', { UserPoolId: userPoolId, ClientId: clientId });
        if ((described.UserPoolClient as { ClientName: string }).ClientName === clientName) {
          await pools.call('UpdateUserPoolClient', { UserPoolId: userPoolId, ClientId: clientId, ClientName: clientName, ...CARE_CLIENT_UPDATE });
          return { userPoolId, clientId };
        }
      }
      const created = await pools.call('CreateUserPoolClient', {
        UserPoolId: userPoolId,
        ClientName: clientName,
        ...CARE_CLIENT_INPUT,
      });
      return { userPoolId, clientId: (created.UserPoolClient as { ClientId: string }).ClientId };
    },
    call: (operation, input) => pools.call(operation, input),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(pools: LocalUserPools, issuerFor: (userPoolId: string) => string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  res.setHeader('x-amzn-requestid', randomUUID());
  // Browser sign-in (Amplify) calls Cognito cross-origin, as it does on AWS.
  res.setHeader('Access-Control-Allow-Origin', '*');

  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, x-amz-security-token, amz-sdk-invocation-id, amz-sdk-request',
      'Access-Control-Max-Age': '600',
    });
    res.end();
    return;
  }

  if (req.method === 'GET') {
    const m = /^\/([\w-]+_[A-Za-z0-9]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(url.pathname);
    const pool = m ? pools.list().find((p) => p.id === m[1]) : undefined;
    if (!m || !pool) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not found' }));
      return;
    }
    const issuer = issuerFor(pool.id);
    const body =
      m[2] === 'jwks.json'
        ? poolJwks(pools.pool(pool.id))
        : { issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'], subject_types_supported: ['public'] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return;
  }

  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    sendError(res, new CognitoError('UnknownOperationException', 'Missing or unknown X-Amz-Target'));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let input: Record<string, unknown>;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    input = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    sendError(res, new CognitoError('SerializationException', 'Malformed JSON body'));
    return;
  }
  try {
    const output = await pools.call(target.slice(TARGET_PREFIX.length), input);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(output));
  } catch (err) {
    if (err instanceof CognitoError) sendError(res, err);
    else throw err;
  }
}

function sendError(res: ServerResponse, err: CognitoError): void {
  res
    .writeHead(err.statusCode, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': `${err.name}:` })
    .end(JSON.stringify({ __type: err.name, message: err.message }));
}
