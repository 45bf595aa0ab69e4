import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, importJWK, SignJWT, jwtVerify, createLocalJWKSet, type JWK } from 'jose';
import type { StoredClient, StoredPool, StoredUser, TimeUnit } from './state.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** How long each token of a client lives, in seconds. */
export interface TokenLifetimes {
  idSeconds: number;
  accessSeconds: number;
  refreshSeconds: number;
}

/** Cognito's defaults: ID and access tokens 1 h, refresh tokens 30 days. */
export const DEFAULT_TOKEN_LIFETIMES: TokenLifetimes = { idSeconds: 3600, accessSeconds: 3600, refreshSeconds: 30 * 24 * 3600 };

const SECONDS: Record<TimeUnit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };

/**
 * The client's lifetimes from its settings (the CareStack client's come from
 * lib/user-pool-definition.ts). As Cognito, a value without a unit counts in hours (ID, access)
 * or days (refresh), and a value left out is the default.
 */
export function tokenLifetimes(client: Pick<StoredClient, 'tokenValidity'>): TokenLifetimes {
  const v = client.tokenValidity ?? {};
  const units = v.TokenValidityUnits ?? {};
  const seconds = (value: number | undefined, unit: TimeUnit, fallback: number) => (value === undefined ? fallback : value * SECONDS[unit]);
  return {
    idSeconds: seconds(v.IdTokenValidity, units.IdToken ?? 'hours', DEFAULT_TOKEN_LIFETIMES.idSeconds),
    accessSeconds: seconds(v.AccessTokenValidity, units.AccessToken ?? 'hours', DEFAULT_TOKEN_LIFETIMES.accessSeconds),
    refreshSeconds: seconds(v.RefreshTokenValidity, units.RefreshToken ?? 'days', DEFAULT_TOKEN_LIFETIMES.refreshSeconds),
  };
}

export async function hashPassword(password: string): Promise<{ salt: string; hash: string }> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return { salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function passwordMatches(password: string, stored: { salt: string; hash: string }): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(stored.salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

/** One RS256 key per pool, generated when the pool is created and persisted with it. */
export async function generateSigningKey(): Promise<StoredPool['signingKey']> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateJwk, publicJwk };
}

export const poolJwks = (pool: StoredPool): { keys: JWK[] } => ({ keys: [pool.signingKey.publicJwk] });

export interface IssuedTokens {
  IdToken: string;
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/** ID and access tokens with the claims Cognito puts in them. */
/** A pre-token-generation trigger's changes (V2: both tokens). */
export interface ClaimChanges {
  id?: { add?: Record<string, unknown>; suppress?: string[] };
  access?: { add?: Record<string, unknown>; suppress?: string[] };
}

/** Claims a trigger may not touch (Cognito ignores or refuses them). */
const RESERVED = new Set(['sub', 'iss', 'aud', 'client_id', 'token_use', 'exp', 'iat', 'auth_time', 'jti', 'origin_jti', 'event_id', 'username', 'cognito:username', 'scope']);

function applyChanges(claims: Record<string, unknown>, changes: { add?: Record<string, unknown>; suppress?: string[] } | undefined): void {
  for (const name of changes?.suppress ?? []) if (!RESERVED.has(name)) delete claims[name];
  for (const [name, value] of Object.entries(changes?.add ?? {})) if (!RESERVED.has(name)) claims[name] = value;
}

export async function issueTokens(
  pool: StoredPool,
  user: StoredUser,
  clientId: string,
  issuer: string,
  changes: ClaimChanges = {},
  lifetimes: TokenLifetimes = DEFAULT_TOKEN_LIFETIMES,
): Promise<IssuedTokens> {
  const key = await importJWK(pool.signingKey.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const authTime = user.authTime ?? now;
  const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
  const custom = Object.fromEntries(Object.entries(user.attributes).filter(([k]) => k.startsWith('custom:')));
  const origin = randomUUID();
  const header = { alg: 'RS256', kid: pool.signingKey.kid };

  const idClaims: Record<string, unknown> = {
    sub: user.sub,
    ...groups,
    email_verified: user.attributes.email_verified === 'true',
    ...(user.attributes.email !== undefined ? { email: user.attributes.email } : {}),
    ...(user.attributes.name !== undefined ? { name: user.attributes.name } : {}),
    'cognito:username': user.username,
    ...custom,
    origin_jti: origin,
    aud: clientId,
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: authTime,
    iss: issuer,
    iat: now,
    exp: now + lifetimes.idSeconds,
    jti: randomUUID(),
  };
  const accessClaims: Record<string, unknown> = {
    sub: user.sub,
    ...groups,
    iss: issuer,
    client_id: clientId,
    origin_jti: origin,
    event_id: idClaims.event_id,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: authTime,
    iat: now,
    exp: now + lifetimes.accessSeconds,
    jti: randomUUID(),
    username: user.username,
  };
  applyChanges(idClaims, changes.id);
  applyChanges(accessClaims, changes.access);
  const [IdToken, AccessToken] = await Promise.all([
    new SignJWT(idClaims).setProtectedHeader(header).sign(key),
    new SignJWT(accessClaims).setProtectedHeader(header).sign(key),
  ]);
  return { IdToken, AccessToken, ExpiresIn: lifetimes.accessSeconds, TokenType: 'Bearer' };
}

/** Verifies an access token of this pool (GetUser); returns its username or throws. */
export async function verifyAccessToken(pool: StoredPool, token: string, issuer: string): Promise<string> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(poolJwks(pool)), { issuer, algorithms: ['RS256'] });
  if (payload.token_use !== 'access' || typeof payload.username !== 'string') throw new Error('not an access token');
  return payload.username;
}

export const newRefreshToken = (): string => randomBytes(96).toString('base64url');
