import { describe, expect, it } from 'vitest';
import { importJWK, SignJWT } from 'jose';
import { createTokenVerifier } from '../../../local/cognito/token-verifier.js';
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
