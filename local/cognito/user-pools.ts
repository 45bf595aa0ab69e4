import { CognitoError, resourceNotFound, userNotFound } from './errors.js';
import { adminOperations } from './admin-operations.js';
import { authFlowOperations } from './auth-flows.js';
import type { LocalPoolTriggers, LocalUserPoolsOptions, PoolContext, TriggerBase } from './pool-context.js';
import { signUpOperations } from './sign-up.js';
import { checkPasswordPolicy } from './password-policy.js';
import { createVerifier, srpPoolName } from './srp.js';
import type { PoolsState, StoredPool, StoredUser } from './state.js';
import { hashPassword } from './tokens.js';
import type { Json, Operations } from './wire.js';

export type { CodeDelivery, LocalPoolTriggers, LocalUserPoolsOptions, PostAuthenticationHook } from './pool-context.js';

/**
 * The user pools and their operations, by Cognito Identity Provider operation name. Each takes
 * the operation's JSON input and returns its JSON output, or throws a {@link CognitoError}. The
 * operations live by concern: admin-operations.ts (pools, clients, groups, users), auth-flows.ts
 * (sign-in, challenges, tokens), sign-up.ts (self sign-up and its codes); responses.ts shapes what
 * they answer. This class holds the state and what they share ({@link PoolContext}).
 */
export class LocalUserPools {
  private state: PoolsState = { pools: {} };
  private readonly operations: Operations;

  constructor(private readonly options: LocalUserPoolsOptions) {
    const ctx = this.context();
    this.operations = { ...adminOperations(ctx), ...authFlowOperations(ctx), ...signUpOperations(ctx) };
  }

  async load(): Promise<void> {
    this.state = await this.options.store.load();
  }

  /** Every pool: id, name and client ids (for composing code that reuses a persisted pool). */
  list(): { id: string; name: string; clientIds: string[] }[] {
    return Object.values(this.state.pools).map((p) => ({ id: p.id, name: p.name, clientIds: Object.keys(p.clients) }));
  }

  pool(userPoolId: string): StoredPool {
    const pool = this.state.pools[userPoolId];
    if (!pool) throw resourceNotFound(`User pool ${userPoolId} does not exist.`);
    return pool;
  }

  async call(operation: string, input: Json): Promise<Json> {
    const op = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
    if (!op) throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}`);
    return op(input);
  }

  private context(): PoolContext {
    const options = this.options;
    // `load()` replaces the state, so the context reads it through this each time.
    const state = (): PoolsState => this.state;
    return {
      options,
      get state() {
        return state();
      },
      save: () => options.store.save(state()),
      pool: (userPoolId) => this.pool(userPoolId),
      user: (pool, username) => {
        const user = pool.users[username.toLowerCase()] ?? Object.values(pool.users).find((u) => u.sub === username);
        if (!user) throw userNotFound();
        return user;
      },
      client: (clientId) => {
        for (const pool of Object.values(state().pools)) {
          if (pool.clients[clientId]) return { pool, clientId };
        }
        throw resourceNotFound(`User pool client ${clientId} does not exist.`);
      },
      checkPassword: checkPasswordPolicy,
      setPassword: async (pool, user, password) => {
        user.password = await hashPassword(password);
        user.srp = createVerifier(srpPoolName(pool.id), user.username, password);
      },
      get triggers(): LocalPoolTriggers {
        return { ...(options.postAuthentication ? { postAuthentication: options.postAuthentication } : {}), ...options.triggers };
      },
      runTrigger: async <T>(name: string, run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (err) {
          throw new CognitoError('UserLambdaValidationException', `${name} failed with error ${(err as Error).message}.`);
        }
      },
      triggerBase: (pool: StoredPool, user: StoredUser, clientId: string | undefined): TriggerBase => ({
        version: '1',
        region: options.region,
        userPoolId: pool.id,
        userName: user.username,
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: clientId ?? 'CLIENT_ID_NOT_APPLICABLE' },
      }),
    };
  }
}
