import { describe, expect, it } from 'vitest';
import { importJWK, SignJWT } from 'jose';
import { cacheVerifiedTokens, createTokenVerifier, type TokenClaims } from '../../../local/cognito/token-verifier.js';
import { generateSigningKey, issueTokens, poolJwks } from '../../../local/cognito/tokens.js';
import type { StoredPool, StoredUser } from '../../../local/cognito/state.js';

const ISSUER = 'http://127.0.0.1:9229/local_abc';

async function fixture() {
  const pool: StoredPool = {
    id: 'local_abc',
    name: 'p',
    createdAt: 0,
    config: {},
    clients: {},
    groups: {},
    users: {},
    signingKey: await generateSigningKey(),
    refreshTokens: {},
  };
  const user: StoredUser = {
    username: 'pat@example.org',
    sub: 'u-1',
    attributes: { email: 'pat@example.org', 'custom:orgId': 'o-1', 'custom:patientId': 'p-1' },
    status: 'CONFIRMED',
    enabled: true,
    password: { salt: '', hash: '' },
    groups: ['patient'],
    createdAt: 0,
    updatedAt: 0,
  };
  return { pool, user, tokens: await issueTokens(pool, user, 'client-1', ISSUER) };
}

describe('createTokenVerifier', () => {
  it('returns the ID token\'s claims', async () => {
    const { pool, tokens } = await fixture();
    const verify = createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(pool), clientId: 'client-1' });
    await expect(verify(tokens.IdToken)).resolves.toMatchObject({
      sub: 'u-1',
      'cognito:groups': ['patient'],
      'custom:orgId': 'o-1',
      'custom:patientId': 'p-1',
      email_verified: false,
      token_use: 'id',
    });
  });

  it('refuses another audience, another issuer, another pool\'s key and access tokens', async () => {
    const { pool, tokens } = await fixture();
    const other = await fixture();
    await expect(createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(pool), clientId: 'client-2' })(tokens.IdToken)).rejects.toThrow();
    await expect(createTokenVerifier({ issuer: `${ISSUER}x`, jwks: poolJwks(pool), clientId: 'client-1' })(tokens.IdToken)).rejects.toThrow();
    await expect(createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(other.pool), clientId: 'client-1' })(tokens.IdToken)).rejects.toThrow();
    await expect(createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(pool), clientId: 'client-1' })(tokens.AccessToken)).rejects.toThrow();
  });

  it('refuses an expired token', async () => {
    const { pool } = await fixture();
    const key = await importJWK(pool.signingKey.privateJwk, 'RS256');
    const expired = await new SignJWT({ sub: 'u-1', token_use: 'id', aud: 'client-1', iss: ISSUER })
      .setProtectedHeader({ alg: 'RS256', kid: pool.signingKey.kid })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    await expect(createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(pool), clientId: 'client-1' })(expired)).rejects.toThrow(/exp/);
  });

  it('needs a key source', () => {
    expect(() => createTokenVerifier({ issuer: ISSUER, clientId: 'c' })).toThrow(/jwksUri or jwks/);
  });
});

describe('cacheVerifiedTokens (API Gateway authorizer result cache)', () => {
  const claims = (exp: number) => ({ sub: 'u-1', token_use: 'id', exp }) as TokenClaims;

  function counting(result: (token: string) => TokenClaims) {
    const calls: string[] = [];
    const verify = async (token: string) => {
      calls.push(token);
      if (token === 'bad') throw new Error('invalid signature');
      return result(token);
    };
    return { calls, verify };
  }

  it('verifies a token once within the TTL and again after it', async () => {
    let now = 1_000_000;
    const { calls, verify } = counting(() => claims(now / 1000 + 3600));
    const cached = cacheVerifiedTokens(verify, { ttlSeconds: 300, now: () => now });
    await cached('t1');
    await cached('t1');
    now += 299_000;
    await expect(cached('t1')).resolves.toMatchObject({ sub: 'u-1' });
    expect(calls).toEqual(['t1']);
    now += 2_000;
    await cached('t1');
    expect(calls).toEqual(['t1', 't1']);
  });

  it("never answers from the cache past the token's own expiry", async () => {
    let now = 1_000_000;
    const { calls, verify } = counting(() => claims(now / 1000 + 10));
    const cached = cacheVerifiedTokens(verify, { ttlSeconds: 300, now: () => now });
    await cached('t1');
    now += 10_000;
    await cached('t1');
    expect(calls).toEqual(['t1', 't1']);
  });

  it('keeps no failed verification and keys on the exact token', async () => {
    const { calls, verify } = counting(() => claims(Date.now() / 1000 + 3600));
    const cached = cacheVerifiedTokens(verify, { ttlSeconds: 300 });
    await expect(cached('bad')).rejects.toThrow('invalid signature');
    await expect(cached('bad')).rejects.toThrow('invalid signature');
    await cached('t1');
    await cached('t2');
    expect(calls).toEqual(['bad', 'bad', 't1', 't2']);
  });

  it('holds at most maxEntries verdicts, dropping the oldest', async () => {
    const { calls, verify } = counting(() => claims(Date.now() / 1000 + 3600));
    const cached = cacheVerifiedTokens(verify, { ttlSeconds: 300, maxEntries: 2 });
    for (const t of ['a', 'b', 'c', 'b', 'a']) await cached(t);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('still refuses a forged token after a genuine one was cached', async () => {
    const { pool, tokens } = await fixture();
    const cached = cacheVerifiedTokens(createTokenVerifier({ issuer: ISSUER, jwks: poolJwks(pool), clientId: 'client-1' }), { ttlSeconds: 300 });
    await cached(tokens.IdToken);
    const [header, payload] = tokens.IdToken.split('.');
    await expect(cached(`${header}.${payload}.${'A'.repeat(342)}`)).rejects.toThrow();
  });
});
