import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';

/** Claims of a verified Cognito ID token, as the token carries them (groups an array, times numbers). */
export interface TokenClaims extends JWTPayload {
  sub: string;
  'cognito:username'?: string;
  'cognito:groups'?: string[];
  'custom:orgId'?: string;
  'custom:patientId'?: string;
  email?: string;
  name?: string;
  token_use: 'id' | 'access';
  [claim: string]: unknown;
}

/** Verifies a Cognito ID token and returns its claims; throws when it is not valid now. */
export type VerifyToken = (token: string) => Promise<TokenClaims>;

export interface TokenVerifierOptions {
  /** `<endpoint>/<userPoolId>` (local) or `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  readonly issuer: string;
  /** The app client id, the ID token's `aud`. */
  readonly clientId: string | readonly string[];
  /** Fetched (and cached) by jose. One of `jwksUri` and `jwks` is required. */
  readonly jwksUri?: string;
  readonly jwks?: { keys: JWK[] };
  /**
   * Which tokens pass: `id` as API Gateway's Cognito authorizer (without OAuth scopes) takes them,
   * or `id-or-access` as AppSync's user-pool auth does (Amplify sends the access token). An access
   * token names its client in `client_id`, not `aud`.
   * @default 'id'
   */
  readonly accept?: 'id' | 'id-or-access';
}

/**
 * A verifier of the pool's tokens, as API Gateway's Cognito authorizer (ID tokens) and AppSync's
 * user-pool auth (ID or access tokens) check them: RS256 signature by a key of the pool's JWKS,
 * issuer, expiry, the app client (`aud` of an ID token, `client_id` of an access token), `token_use`.
 */
export function createTokenVerifier(options: TokenVerifierOptions): VerifyToken {
  const keys = options.jwks
    ? createLocalJWKSet(options.jwks)
    : options.jwksUri
      ? createRemoteJWKSet(new URL(options.jwksUri))
      : undefined;
  if (!keys) throw new Error(`createTokenVerifier: give jwksUri or jwks (issuer ${options.issuer})`);
  const clients = typeof options.clientId === 'string' ? [options.clientId] : [...options.clientId];
  const accessToo = options.accept === 'id-or-access';
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, { issuer: options.issuer, algorithms: ['RS256'] });
    if (payload.token_use === 'id') {
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.some((a) => typeof a === 'string' && clients.includes(a))) throw new Error('aud is not an app client of the pool');
    } else if (payload.token_use === 'access' && accessToo) {
      if (typeof payload.client_id !== 'string' || !clients.includes(payload.client_id)) throw new Error('client_id is not an app client of the pool');
    } else {
      throw new Error(`token_use is ${String(payload.token_use)}, expected ${accessToo ? 'id or access' : 'id'}`);
    }
    if (typeof payload.sub !== 'string') throw new Error('token has no sub');
    return payload as TokenClaims;
  };
}

export interface TokenCacheOptions {
  /** How long one verdict is kept (API Gateway's authorizer `resultsCacheTtl`). */
  readonly ttlSeconds: number;
  /** Tokens kept at most; the oldest verdict goes first. @default 10_000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Keeps each successful verification for `ttlSeconds`, keyed by the exact token, as API Gateway
 * caches a Cognito authorizer's result per Authorization header. A cached verdict never outlives
 * the token's `exp`; a failed verification is not kept (the next request verifies again).
 * Verifying RS256 on every request costs the local gateway ~0.3 ms of the same CPU the functions
 * and DynamoDB Local run on; on AWS it is the authorizer's cost, outside the function.
 */
export function cacheVerifiedTokens(verify: VerifyToken, options: TokenCacheOptions): VerifyToken {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const verdicts = new Map<string, { claims: TokenClaims; until: number }>();
  return async (token) => {
    const cached = verdicts.get(token);
    if (cached && now() < cached.until) return cached.claims;
    if (cached) verdicts.delete(token);
    const claims = await verify(token);
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : now();
    verdicts.set(token, { claims, until: Math.min(now() + options.ttlSeconds * 1000, expiresAt) });
    if (verdicts.size > maxEntries) verdicts.delete(verdicts.keys().next().value!);
    return claims;
  };
}
