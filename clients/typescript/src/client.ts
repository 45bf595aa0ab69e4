import createClient, { type Client, type FetchOptions } from 'openapi-fetch';
import type { SuccessResponseJSON } from 'openapi-typescript-helpers';
import { CareStackError } from './errors.js';
import type { operations, paths } from './generated/openapi.js';
import { OPERATIONS, type OperationName } from './generated/operations.js';

export interface RetryOptions {
  /** Tries in all, the first included. @default 3 */
  readonly attempts?: number;
  /** The first backoff's ceiling; each next one doubles. @default 200 */
  readonly baseDelayMs?: number;
  /** No backoff waits longer (a server's `Retry-After` aside). @default 5000 */
  readonly maxDelayMs?: number;
}

export interface CareStackClientOptions {
  /** `ApiUrl` of the stack's outputs (`.carestack/outputs.json` locally, `cdk deploy` on AWS). */
  readonly apiUrl: string;
  /**
   * The current Cognito ID token, asked before every request (so a refreshed token is used), e.g.
   * `async () => (await fetchAuthSession()).tokens?.idToken?.toString()` with Amplify.
   * @default - no Authorization header (only `GET /health` answers)
   */
  readonly token?: () => string | undefined | Promise<string | undefined>;
  /** @default - see RetryOptions */
  readonly retry?: RetryOptions;
  /** @default globalThis.fetch */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** For tests. @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** For tests. @default Math.random */
  readonly random?: () => number;
}

/** What an operation takes: openapi-fetch's `{ params: { path, query }, body, headers }`, typed by the contract. */
export type OperationInit<N extends OperationName> = FetchOptions<operations[N]>;
/** What an operation answers on success (its JSON body; `undefined` for 204). */
export type OperationResult<N extends OperationName> = SuccessResponseJSON<operations[N]>;

type HasRequired<T> = Record<never, never> extends T ? false : true;
/** One method per operation name; the argument may be left out when nothing in it is required. */
export type OperationMethods = {
  readonly [N in OperationName]: HasRequired<OperationInit<N>> extends true
    ? (init: OperationInit<N>) => Promise<OperationResult<N>>
    : (init?: OperationInit<N>) => Promise<OperationResult<N>>;
};

/**
 * The REST API, typed from docs/api/openapi.json. By path, as openapi-fetch does it
 * (`api.GET('/patients', { params: { query: { limit: 10 } } })` resolves to `{ data, response }`),
 * and by operation name (`api.listPatients({ params: { query: { limit: 10 } } })` resolves to the
 * data). Either way a non-success answer is thrown as a `CareStackError`.
 */
export type CareStackClient = Pick<Client<paths>, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'request'> &
  OperationMethods & {
    /** openapi-fetch's client itself, for middleware (`use`) and anything not wrapped here. */
    readonly raw: Client<paths>;
  };

/** Creating requests that honour Idempotency-Key, by method and path template. */
const IDEMPOTENT_CREATES = new Set(Object.values(OPERATIONS).filter((o) => o.idempotent).map((o) => `${o.method} ${o.path}`));

export function createCareStackClient(options: CareStackClientOptions): CareStackClient {
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const attempts = Math.max(1, options.retry?.attempts ?? 3);
  const baseDelay = options.retry?.baseDelayMs ?? 200;
  const maxDelay = options.retry?.maxDelayMs ?? 5000;

  /** Sends one request, retrying 429 and 503 with full-jitter backoff when repeating it is safe. */
  const send = async (request: Request): Promise<Response> => {
    const retryable = isSafeToRepeat(request);
    const template = retryable ? request.clone() : request;
    for (let attempt = 1; ; attempt++) {
      const response = await baseFetch(attempt === 1 ? request : template.clone());
      if (!retryable || attempt >= attempts || (response.status !== 429 && response.status !== 503)) return response;
      const backoff = random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
      const retryAfter = Number(response.headers.get('retry-after'));
      await response.body?.cancel();
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(backoff, retryAfter * 1000) : backoff);
    }
  };

  const raw = createClient<paths>({ baseUrl: options.apiUrl.replace(/\/$/, ''), fetch: send });
  raw.use({
    async onRequest({ request, schemaPath }) {
      const token = await options.token?.();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      if (IDEMPOTENT_CREATES.has(`${request.method} ${schemaPath}`) && !request.headers.has('idempotency-key')) {
        request.headers.set('idempotency-key', crypto.randomUUID());
      }
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw await CareStackError.fromResponse(response);
      return undefined;
    },
  });

  const byName = Object.fromEntries(
    (Object.keys(OPERATIONS) as OperationName[]).map((name) => {
      const { method, path } = OPERATIONS[name];
      const call = async (init?: Record<string, unknown>) => {
        // The path and method come from the same route table as the types; openapi-fetch's own
        // generics cannot follow a name to its path, hence the loosened call.
        const request = raw.request as unknown as (m: string, p: string, i?: Record<string, unknown>) => Promise<{ data?: unknown }>;
        const { data } = await request(method.toLowerCase(), path, init);
        return data;
      };
      return [name, call];
    }),
  ) as unknown as OperationMethods;

  return Object.assign(byName, {
    GET: raw.GET,
    POST: raw.POST,
    PUT: raw.PUT,
    PATCH: raw.PATCH,
    DELETE: raw.DELETE,
    request: raw.request,
    raw,
  });
}

/**
 * Reads are safe to repeat, and so are PUT and DELETE (the same end state), and a create that
 * carries an Idempotency-Key (the server answers a repeat with the first answer). A PATCH or a POST
 * without a key is sent once: a 503 may have come after the change was made.
 */
function isSafeToRepeat(request: Request): boolean {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE') return true;
  return method === 'POST' && request.headers.has('idempotency-key');
}
