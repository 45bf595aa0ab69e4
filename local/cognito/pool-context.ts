import type {
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreSignUpTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import type { PasswordSetBy } from './password-policy.js';
import type { PoolsState, StateStore, StoredPool, StoredUser } from './state.js';

/** Called after a successful password sign-in; a throw fails the sign-in, as a Cognito trigger does. */
export type PostAuthenticationHook = (event: PostAuthenticationTriggerEvent) => Promise<unknown>;

/**
 * The Lambda triggers the pool calls in process, with Cognito's event shapes; a throw fails the
 * operation with UserLambdaValidationException, as on AWS. Each answers the (changed) event.
 */
export interface LocalPoolTriggers {
  preSignUp?: (event: PreSignUpTriggerEvent) => Promise<PreSignUpTriggerEvent>;
  postConfirmation?: (event: PostConfirmationTriggerEvent) => Promise<unknown>;
  /** Event version V2_0: changes to both the ID and the access token. */
  preTokenGeneration?: (event: PreTokenGenerationV2TriggerEvent) => Promise<PreTokenGenerationV2TriggerEvent>;
  postAuthentication?: PostAuthenticationHook;
}

/** Sends a sign-up confirmation code (Cognito emails it; locally the outbox). */
export type CodeDelivery = (message: { to: string; subject: string; text: string }) => Promise<void>;

export interface LocalUserPoolsOptions {
  store: StateStore;
  /** Region in pool ids (`<region>_<random>`), ARNs and trigger events. */
  region: string;
  /** The issuer of a pool's tokens: `<endpoint>/<userPoolId>`. */
  issuerFor: (userPoolId: string) => string;
  /** @deprecated use triggers.postAuthentication */
  postAuthentication?: PostAuthenticationHook;
  /** @default - none */
  triggers?: LocalPoolTriggers;
  /** @default - codes are only logged */
  deliverCode?: CodeDelivery;
  /** How long a sign-up confirmation code is valid. @default 24 hours, as Cognito */
  confirmationCodeTtlMs?: number;
}

/**
 * What the operations (admin-operations.ts, auth-flows.ts, sign-up.ts) share: the pools, their
 * lookups with Cognito's errors, passwords, and the triggers.
 */
export interface PoolContext {
  readonly options: LocalUserPoolsOptions;
  /** The pools as loaded (read it each time: `load()` replaces it). */
  readonly state: PoolsState;
  /** Writes the state (after every change). */
  save(): Promise<void>;
  /** The pool, or ResourceNotFoundException. */
  pool(userPoolId: string): StoredPool;
  /** A user by name (case-insensitive) or sub, or UserNotFoundException. */
  user(pool: StoredPool, username: string): StoredUser;
  /** The pool of an app client, or ResourceNotFoundException. */
  client(clientId: string): { pool: StoredPool; clientId: string };
  /** Refuses a password the pool's policy refuses (InvalidPasswordException, worded as `setBy` words it on AWS). */
  checkPassword(pool: StoredPool, password: string, setBy: PasswordSetBy): void;
  /** Sets a password: its scrypt hash (USER_PASSWORD_AUTH) and its SRP verifier (USER_SRP_AUTH). */
  setPassword(pool: StoredPool, user: Pick<StoredUser, 'username' | 'password' | 'srp'>, password: string): Promise<void>;
  readonly triggers: LocalPoolTriggers;
  /** Runs a trigger; its failure is the operation's UserLambdaValidationException, as on AWS. */
  runTrigger<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** The fields every trigger event has. */
  triggerBase(pool: StoredPool, user: StoredUser, clientId: string | undefined): TriggerBase;
}

export interface TriggerBase {
  version: string;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
}
