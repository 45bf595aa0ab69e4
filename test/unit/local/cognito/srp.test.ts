/**
 * The local pool's SRP against the client math of amazon-cognito-identity-js (the oracle): the same
 * k, the same session key from both sides, and a PASSWORD_CLAIM_SIGNATURE the server accepts only
 * for the right password.
 */
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimSignature, createVerifier, k, N, padHex, parseSrpTimestamp, serverChallenge, serverKey, signatureMatches, srpPoolName, srpTimestamp } from '../../../../local/cognito/srp.js';

const require = createRequire(import.meta.url);
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper.js').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger.js').default;

/** What this test drives of amazon-cognito-identity-js's AuthenticationHelper (an internal module, untyped). */
interface SrpHelper {
  getPasswordAuthenticationKey(userId: string, password: string, B: unknown, salt: unknown, callback: (err: Error | null, key: Buffer) => void): void;
  getLargeAValue(callback: (err: Error | null, A: { toString(radix: number): string }) => void): void;
}

/** The client's key for the challenge, as amazon-cognito-identity-js computes it. */
function oracleKey(helper: SrpHelper, userId: string, password: string, B: bigint, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    helper.getPasswordAuthenticationKey(userId, password, new BigInteger(B.toString(16), 16), new BigInteger(salt, 16), (err: Error | null, key: Buffer) =>
      err ? reject(err) : resolve(Buffer.from(key)),
    ),
  );
}
const largeA = (helper: SrpHelper): Promise<string> =>
  new Promise((resolve, reject) => helper.getLargeAValue((err, A) => (err ? reject(err) : resolve(A.toString(16)))));

// Each check runs 3072-bit modular exponentiations on both sides, the client's in amazon-cognito-identity-js's
// pure-JS BigInteger (seconds of CPU each): a CPU budget, not a speed assertion.
describe('SRP-6a as Cognito does it', { timeout: 60_000 }, () => {
  const pool = srpPoolName('us-east-1_AbCdEf123');

  it('uses the RFC 5054 3072-bit group and the same k as the client library', () => {
    const helper = new AuthenticationHelper(pool);
    expect(N.toString(16)).toBe(helper.N.toString(16));
    expect(k.toString(16)).toBe(helper.k.toString(16));
    expect(N.toString(2)).toHaveLength(3072);
  });

  it('pads hex like the client (two\'s complement, no sign ambiguity)', () => {
    const helper = new AuthenticationHelper(pool);
    for (const n of [0x14n, 0xecn, 0x80n, 0x7fffn, 0x8000n, 1n, N]) {
      expect(padHex(n)).toBe(helper.padHex(new BigInteger(n.toString(16), 16)));
    }
  });

  it('derives the same key on both sides, and the server accepts the client\'s signature', async () => {
    for (let round = 0; round < 3; round++) {
      const userId = `user-${round}@example.org`;
      const password = `Correct-horse-${round}!`;
      const stored = createVerifier(pool, userId, password);
      const helper = new AuthenticationHelper(pool);
      const session = serverChallenge(stored.verifier, await largeA(helper));
      const clientKey = await oracleKey(helper, userId, password, session.B, stored.salt);
      expect(serverKey(session, stored.verifier).equals(clientKey)).toBe(true);

      const secretBlock = Buffer.from(`secret-${round}`).toString('base64');
      const timestamp = srpTimestamp(new Date());
      // The client's signature, as CognitoUser.authenticateUserDefaultAuth builds it.
      const message = Buffer.concat([Buffer.from(pool), Buffer.from(userId), Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]);
      const clientSignature = createHmac('sha256', clientKey).update(message).digest('base64');
      const expected = claimSignature(serverKey(session, stored.verifier), pool, userId, secretBlock, timestamp);
      expect(signatureMatches(expected, clientSignature)).toBe(true);
    }
  });

  it('gives a wrong password another key, so its signature fails', async () => {
    const stored = createVerifier(pool, 'ada@example.org', 'Right-password-1');
    const helper = new AuthenticationHelper(pool);
    const session = serverChallenge(stored.verifier, await largeA(helper));
    const wrong = await oracleKey(helper, 'ada@example.org', 'Wrong-password-1', session.B, stored.salt);
    const ts = srpTimestamp(new Date());
    const expected = claimSignature(serverKey(session, stored.verifier), pool, 'ada@example.org', 'AAAA', ts);
    expect(signatureMatches(expected, claimSignature(wrong, pool, 'ada@example.org', 'AAAA', ts).toString('base64'))).toBe(false);
  });

  it('refuses A = 0 mod N', () => {
    const stored = createVerifier(pool, 'u', 'p');
    expect(() => serverChallenge(stored.verifier, N.toString(16))).toThrow();
    expect(() => serverChallenge(stored.verifier, '0')).toThrow();
  });

  it('writes and reads Cognito\'s TIMESTAMP like the client library', () => {
    const DateHelper = require('amazon-cognito-identity-js/lib/DateHelper.js').default;
    const theirs = new DateHelper().getNowString();
    const parsed = parseSrpTimestamp(theirs);
    expect(Math.abs(parsed - Date.now())).toBeLessThan(5_000);
    expect(srpTimestamp(new Date('2026-12-01T09:05:07Z'))).toBe('Tue Dec 1 09:05:07 UTC 2026');
  });
});
