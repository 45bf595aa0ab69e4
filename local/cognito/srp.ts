/**
 * The server side of Cognito's SRP-6a (USER_SRP_AUTH), as its clients (amazon-cognito-identity-js,
 * Amplify v6) compute the other side: the 3072-bit group of RFC 5054 with g = 2, k = H(N | g),
 * u = H(A | B), x = H(salt | H(poolName | userId | ":" | password)), numbers hashed in their
 * two's-complement hex form (`padHex`), and the session key derived with HKDF ("Caldera Derived
 * Key", 16 bytes). The pool keeps only the salt and the verifier v = g^x; the password never.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;

/** Even-length hex of a non-negative integer, with "00" in front when its top bit is set. */
export function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const hexHash = (hex: string): string => sha256Hex(Buffer.from(hex, 'hex'));
const toBig = (hex: string): bigint => BigInt(`0x${hex}`);
const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

export const k = toBig(hexHash(padHex(N) + padHex(g)));

/**
 * base^exp mod N by square-and-multiply on BigInt. Not OpenSSL's DiffieHellman: on Node 24
 * (OpenSSL 3.5) its constructor checks the prime's primality, ~1.4 s of CPU for 3072 bits, paid
 * by every process that starts the local pool (every test file with a stack); the named group
 * (`getDiffieHellman('modp15')`, the same prime and g) skips the check but cannot take a chosen
 * exponent. The exponents here are 256 bits (hashes, and `b` below), ~5 ms each.
 */
export function modPowN(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let square = mod(base, N);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % N;
    square = (square * square) % N;
  }
  return result;
}

/** The part of the pool id after `_`: Cognito's "pool name" in SRP. */
export const srpPoolName = (userPoolId: string): string => userPoolId.split('_')[1] ?? userPoolId;

function passwordX(poolName: string, userId: string, password: string, saltHex: string): bigint {
  const inner = sha256Hex(`${poolName}${userId}:${password}`);
  return toBig(hexHash(padHex(toBig(saltHex)) + inner));
}

export interface SrpVerifier {
  /** Hex, as Cognito sends SALT. */
  salt: string;
  /** Hex of g^x mod N. */
  verifier: string;
}

/** What the pool stores for SRP when a password is set (bound to the pool and the user id). */
export function createVerifier(poolName: string, userId: string, password: string): SrpVerifier {
  const salt = randomBytes(16).toString('hex');
  return { salt, verifier: modPowN(g, passwordX(poolName, userId, password, salt)).toString(16) };
}

export interface ServerSession {
  A: bigint;
  b: bigint;
  B: bigint;
}

/** The server's half: B = k·v + g^b. Refuses A ≡ 0 (mod N), as SRP-6a requires. */
export function serverChallenge(verifierHex: string, srpAHex: string): ServerSession {
  const A = toBig(srpAHex);
  if (mod(A, N) === 0n) throw new Error('SRP_A is zero mod N');
  const v = toBig(verifierHex);
  for (;;) {
    // 256 random bits: RFC 5054's minimum for the server's secret.
    const b = toBig(randomBytes(32).toString('hex'));
    const B = mod(k * v + modPowN(g, b), N);
    if (B !== 0n) return { A, b, B };
  }
}

/** HKDF-SHA256 of S with salt u and info "Caldera Derived Key" 0x01, first 16 bytes. */
function sessionKey(S: bigint, u: bigint): Buffer {
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
  return createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])])).digest().subarray(0, 16);
}

/** The server's key: S = (A · v^u)^b. */
export function serverKey(session: ServerSession, verifierHex: string): Buffer {
  const u = toBig(hexHash(padHex(session.A) + padHex(session.B)));
  if (u === 0n) throw new Error('u is zero');
  const v = toBig(verifierHex);
  const S = modPowN(mod(session.A * modPowN(v, u), N), session.b);
  return sessionKey(S, u);
}

/** PASSWORD_CLAIM_SIGNATURE: HMAC(key, poolName | userId | secretBlock bytes | timestamp), base64. */
export function claimSignature(key: Buffer, poolName: string, userId: string, secretBlockB64: string, timestamp: string): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(userId, 'utf8'), Buffer.from(secretBlockB64, 'base64'), Buffer.from(timestamp, 'utf8')]))
    .digest();
}

export function signatureMatches(expected: Buffer, givenB64: string): boolean {
  const given = Buffer.from(givenB64, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The client's half, for tests and tools (what amazon-cognito-identity-js computes). */
export function clientKey(poolName: string, userId: string, password: string, saltHex: string, a: bigint, B: bigint): Buffer {
  const A = modPowN(g, a);
  const u = toBig(hexHash(padHex(A) + padHex(B)));
  const x = passwordX(poolName, userId, password, saltHex);
  const S = modPowN(mod(B - k * modPowN(g, x), N), a + u * x);
  return sessionKey(S, u);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Cognito's TIMESTAMP format, e.g. "Tue Dec 1 09:05:07 UTC 2026" (day not padded). */
export function srpTimestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

/** Parses a TIMESTAMP back to epoch ms (NaN when it is not one). */
export function parseSrpTimestamp(text: string): number {
  const m = /^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(text);
  if (!m) return Number.NaN;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return Number.NaN;
  return Date.UTC(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
