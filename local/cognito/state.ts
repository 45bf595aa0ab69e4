import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JWK } from 'jose';

export type UserStatus = 'FORCE_CHANGE_PASSWORD' | 'CONFIRMED' | 'UNCONFIRMED';

export interface StoredUser {
  /** As given to AdminCreateUser (the email, in CareStack). */
  username: string;
  sub: string;
  /** Every attribute but `sub`, as strings (Cognito's wire format). */
  attributes: Record<string, string>;
  status: UserStatus;
  enabled: boolean;
  password: { salt: string; hash: string };
  /**
   * SRP salt and verifier (g^x, x from the pool, the user id and the password), set with the
   * password: what USER_SRP_AUTH checks against. Users saved before SRP existed get it at their
   * next USER_PASSWORD_AUTH sign-in.
   */
  srp?: { salt: string; verifier: string };
  /** A sign-up's pending confirmation: the code's hash, its expiry (epoch ms), wrong tries, resends. */
  confirmation?: { codeHash: string; expiresAt: number; attempts: number; resends: number };
  groups: string[];
  createdAt: number;
  updatedAt: number;
  /** Epoch seconds of the last sign-in with a password (the ID token's auth_time). */
  authTime?: number;
  /**
   * When the administrator-issued temporary password stops working (epoch ms; the pool's
   * TemporaryPasswordValidityDays). Unset for a permanent password and for users saved before.
   */
  temporaryPasswordExpiresAt?: number;
}

export interface StoredGroup {
  name: string;
  description?: string;
  precedence?: number;
  createdAt: number;
}

export interface StoredClient {
  clientId: string;
  clientName: string;
  explicitAuthFlows: string[];
  /** Attributes the client may write at SignUp (Cognito's WriteAttributes). @default - all */
  writeAttributes?: string[];
  /** Token lifetimes as the client was given them. @default - Cognito's: 1 h ID and access, 30 days refresh */
  tokenValidity?: TokenValidity;
  /** LEGACY: an unknown user is UserNotFoundException. @default - ENABLED: it answers like a wrong password */
  preventUserExistenceErrors?: 'ENABLED' | 'LEGACY';
  createdAt: number;
}

/** CreateUserPoolClient's AccessTokenValidity, IdTokenValidity, RefreshTokenValidity and their units. */
export interface TokenValidity {
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  RefreshTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: TimeUnit; IdToken?: TimeUnit; RefreshToken?: TimeUnit };
}

export type TimeUnit = 'seconds' | 'minutes' | 'hours' | 'days';

export interface StoredPool {
  id: string;
  name: string;
  createdAt: number;
  /** CreateUserPool's input minus PoolName, echoed back by DescribeUserPool. */
  config: Record<string, unknown>;
  clients: Record<string, StoredClient>;
  groups: Record<string, StoredGroup>;
  /** Keyed by the lower-cased username (pools are case-insensitive, as Cognito's default). */
  users: Record<string, StoredUser>;
  signingKey: { kid: string; privateJwk: JWK; publicJwk: JWK };
  /** Opaque refresh token -> who it belongs to. */
  refreshTokens: Record<string, { username: string; clientId: string; expiresAt: number }>;
}

export interface PoolsState {
  pools: Record<string, StoredPool>;
}

/**
 * Where the pools live: a JSON file (written after every change, atomically, so a restart keeps
 * users, groups, keys and refresh tokens) or nowhere (memory only).
 */
export interface StateStore {
  load(): Promise<PoolsState>;
  save(state: PoolsState): Promise<void>;
}

export const memoryStore = (): StateStore => ({
  load: async () => ({ pools: {} }),
  save: async () => {},
});

export const fileStore = (path: string): StateStore => {
  // Serialise writes: two quick changes must not race on the temporary file.
  let writing: Promise<void> = Promise.resolve();
  return {
    async load() {
      try {
        return JSON.parse(await readFile(path, 'utf8')) as PoolsState;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { pools: {} };
        throw err;
      }
    },
    save(state) {
      const text = JSON.stringify(state, null, 2);
      writing = writing.then(async () => {
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, path);
      });
      return writing;
    },
  };
};
