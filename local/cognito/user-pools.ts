import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type {
  PostAuthenticationTriggerEvent,
  PostConfirmationTriggerEvent,
  PreSignUpTriggerEvent,
  PreTokenGenerationV2TriggerEvent,
} from 'aws-lambda';
import { CognitoError, invalidParameter, notAuthorized, resourceNotFound, userNotFound } from './errors.js';
import {
  claimSignature,
  createVerifier,
  parseSrpTimestamp,
  serverChallenge,
  serverKey,
  signatureMatches,
  srpPoolName,
  type ServerSession,
} from './srp.js';
import type { PoolsState, StateStore, StoredPool, StoredUser } from './state.js';
import {
  REFRESH_TTL_SECONDS,
  type ClaimChanges,
  generateSigningKey,
  hashPassword,
  issueTokens,
  newRefreshToken,
  passwordMatches,
  verifyAccessToken,
} from './tokens.js';

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

/** A confirmation code lives 24 hours; five wrong tries or resends and the pool says LimitExceeded. */
const CODE_TTL_MS = 24 * 3600 * 1000;
const MAX_CODE_ATTEMPTS = 5;
const MAX_RESENDS = 5;
/** How far a PASSWORD_VERIFIER TIMESTAMP may be from the pool's clock, and how long a challenge lives. */
const SRP_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SRP_CHALLENGE_TTL_MS = 3 * 60 * 1000;

const codeHash = (code: string): string => createHash('sha256').update(`confirm:${code}`).digest('hex');
const maskEmail = (email: string): string => {
  const [name = '', domain = ''] = email.split('@');
  return `${name.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};

type Json = Record<string, unknown>;
type AttributeType = { Name: string; Value: string };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomString = (length: number, alphabet = ALNUM): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

const epochSeconds = (ms: number): number => ms / 1000;

const str = (input: Json, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw invalidParameter(`1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`);
  return value;
};

/** Cognito's default password policy, used when CreateUserPool gave none. */
const DEFAULT_POLICY = { MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true };

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
 * The user pools and their operations, by Cognito Identity Provider operation name. Each takes
 * the operation's JSON input and returns its JSON output, or throws a {@link CognitoError}.
 */
export class LocalUserPools {
  private state: PoolsState = { pools: {} };

  constructor(private readonly options: LocalUserPoolsOptions) {}

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
    const op = (this.operations as Record<string, ((input: Json) => Promise<Json>) | undefined>)[operation];
    if (!op) throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}`);
    return op.call(this, input);
  }

  private save(): Promise<void> {
    return this.options.store.save(this.state);
  }

  private user(pool: StoredPool, username: string): StoredUser {
    const user = pool.users[username.toLowerCase()] ?? Object.values(pool.users).find((u) => u.sub === username);
    if (!user) throw userNotFound();
    return user;
  }

  private client(clientId: string): { pool: StoredPool; clientId: string } {
    for (const pool of Object.values(this.state.pools)) {
      if (pool.clients[clientId]) return { pool, clientId };
    }
    throw resourceNotFound(`User pool client ${clientId} does not exist.`);
  }

  private checkPassword(pool: StoredPool, password: string): void {
    const policy = { ...DEFAULT_POLICY, ...((pool.config.Policies as Json | undefined)?.PasswordPolicy as Json | undefined) };
    const fail = (why: string) => new CognitoError('InvalidPasswordException', `Password does not conform to policy: ${why}`);
    if (password.length < Number(policy.MinimumLength)) throw fail('Password not long enough');
    if (policy.RequireUppercase && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
    if (policy.RequireLowercase && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
    if (policy.RequireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
    if (policy.RequireSymbols && !/[^A-Za-z0-9]/.test(password)) throw fail('Password must have symbol characters');
  }

  private userType(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes'): Json {
    return {
      Username: user.username,
      [attributesKey]: attributeList(user),
      UserCreateDate: epochSeconds(user.createdAt),
      UserLastModifiedDate: epochSeconds(user.updatedAt),
      Enabled: user.enabled,
      UserStatus: user.status,
    };
  }

  private poolType(pool: StoredPool): Json {
    return {
      ...pool.config,
      Id: pool.id,
      Name: pool.name,
      Arn: `arn:aws:cognito-idp:${this.options.region}:000000000000:userpool/${pool.id}`,
      CreationDate: epochSeconds(pool.createdAt),
      LastModifiedDate: epochSeconds(pool.createdAt),
      EstimatedNumberOfUsers: Object.keys(pool.users).length,
    };
  }

  private clientType(pool: StoredPool, clientId: string): Json {
    const c = pool.clients[clientId]!;
    return {
      UserPoolId: pool.id,
      ClientId: c.clientId,
      ClientName: c.clientName,
      ExplicitAuthFlows: c.explicitAuthFlows,
      ...(c.writeAttributes ? { WriteAttributes: c.writeAttributes } : {}),
      CreationDate: epochSeconds(c.createdAt),
      LastModifiedDate: epochSeconds(c.createdAt),
    };
  }

  private groupType(pool: StoredPool, name: string): Json {
    const g = pool.groups[name]!;
    return {
      GroupName: g.name,
      UserPoolId: pool.id,
      ...(g.description !== undefined ? { Description: g.description } : {}),
      ...(g.precedence !== undefined ? { Precedence: g.precedence } : {}),
      CreationDate: epochSeconds(g.createdAt),
      LastModifiedDate: epochSeconds(g.createdAt),
    };
  }

  private get triggers(): LocalPoolTriggers {
    return { ...(this.options.postAuthentication ? { postAuthentication: this.options.postAuthentication } : {}), ...this.options.triggers };
  }

  /** Runs a trigger; its failure is the operation's UserLambdaValidationException, as on AWS. */
  private async runTrigger<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new CognitoError('UserLambdaValidationException', `${name} failed with error ${(err as Error).message}.`);
    }
  }

  private triggerBase(pool: StoredPool, user: StoredUser, clientId: string | undefined) {
    return {
      version: '1',
      region: this.options.region,
      userPoolId: pool.id,
      userName: user.username,
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: clientId ?? 'CLIENT_ID_NOT_APPLICABLE' },
    };
  }

  /** ID and access tokens, through the pre-token-generation trigger (V2_0) when there is one. */
  private async tokensFor(pool: StoredPool, user: StoredUser, clientId: string, source: PreTokenGenerationV2TriggerEvent['triggerSource']) {
    const trigger = this.triggers.preTokenGeneration;
    let changes: ClaimChanges = {};
    if (trigger) {
      const event = {
        ...this.triggerBase(pool, user, clientId),
        version: '2',
        triggerSource: source,
        request: {
          userAttributes: { sub: user.sub, ...user.attributes, 'cognito:user_status': user.status },
          groupConfiguration: { groupsToOverride: [...user.groups], iamRolesToOverride: [] },
          scopes: ['aws.cognito.signin.user.admin'],
        },
        response: { claimsAndScopeOverrideDetails: {} },
      } as PreTokenGenerationV2TriggerEvent;
      const out = await this.runTrigger('PreTokenGeneration', () => trigger(event));
      const d = out.response?.claimsAndScopeOverrideDetails ?? {};
      changes = {
        id: { add: d.idTokenGeneration?.claimsToAddOrOverride ?? {}, suppress: d.idTokenGeneration?.claimsToSuppress ?? [] },
        access: { add: d.accessTokenGeneration?.claimsToAddOrOverride ?? {}, suppress: d.accessTokenGeneration?.claimsToSuppress ?? [] },
      };
    }
    return issueTokens(pool, user, clientId, this.options.issuerFor(pool.id), changes);
  }

  /** Sets a password: its scrypt hash (USER_PASSWORD_AUTH) and its SRP verifier (USER_SRP_AUTH). */
  private async setPassword(pool: StoredPool, user: Pick<StoredUser, 'username' | 'password' | 'srp'>, password: string): Promise<void> {
    user.password = await hashPassword(password);
    user.srp = createVerifier(srpPoolName(pool.id), user.username, password);
  }

  private async sendCode(user: StoredUser): Promise<Json> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const previous = user.confirmation;
    user.confirmation = { codeHash: codeHash(code), expiresAt: Date.now() + (this.options.confirmationCodeTtlMs ?? CODE_TTL_MS), attempts: 0, resends: previous ? previous.resends + 1 : 0 };
    const to = user.attributes.email ?? user.username;
    await (this.options.deliverCode ?? (async (m) => console.log(`[cognito] ${m.to}: ${m.text}`)))({
      to,
      subject: 'Your verification code',
      text: `Your confirmation code is ${code}`,
    });
    return { Destination: maskEmail(to), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  }

  private async signIn(pool: StoredPool, user: StoredUser, clientId: string): Promise<Json> {
    const postAuthentication = this.triggers.postAuthentication;
    if (postAuthentication) {
      const event: PostAuthenticationTriggerEvent = {
        version: '1',
        region: this.options.region,
        userPoolId: pool.id,
        userName: user.username,
        callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
        triggerSource: 'PostAuthentication_Authentication',
        request: {
          userAttributes: { sub: user.sub, ...user.attributes, 'cognito:user_status': user.status },
          newDeviceUsed: false,
        },
        response: {},
      };
      await this.runTrigger('PostAuthentication', () => postAuthentication(event));
    }
    user.authTime = Math.floor(Date.now() / 1000);
    const tokens = await this.tokensFor(pool, user, clientId, 'TokenGeneration_Authentication');
    const RefreshToken = newRefreshToken();
    pool.refreshTokens[RefreshToken] = { username: user.username, clientId, expiresAt: Date.now() + REFRESH_TTL_SECONDS * 1000 };
    await this.save();
    return { AuthenticationResult: { ...tokens, RefreshToken }, ChallengeParameters: {} };
  }

  /** Sessions of NEW_PASSWORD_REQUIRED challenges (memory only, as they expire in minutes anyway). */
  private readonly sessions = new Map<string, { poolId: string; username: string; clientId: string }>();

  /** Open PASSWORD_VERIFIER challenges by SECRET_BLOCK (memory only, single use, minutes). */
  private readonly srpChallenges = new Map<string, { poolId: string; clientId: string; username?: string; userId: string; session: ServerSession; verifier: string; expiresAt: number }>();

  private newPasswordChallenge(pool: StoredPool, user: StoredUser, clientId: string): Json {
    const Session = randomBytes(48).toString('base64url');
    this.sessions.set(Session, { poolId: pool.id, username: user.username, clientId });
    const { email_verified: _ev, ...visible } = user.attributes;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(visible) },
    };
  }

  private allowsFlow(pool: StoredPool, clientId: string, flow: string): boolean {
    const flows = pool.clients[clientId]!.explicitAuthFlows;
    // A client created with explicit flows must allow this one; with none, allow it locally.
    return flows.length === 0 || flows.includes(`ALLOW_${flow}`) || flows.includes(flow);
  }

  private readonly operations = {
    async CreateUserPool(this: LocalUserPools, input: Json): Promise<Json> {
      const { PoolName, ...config } = input;
      if (typeof PoolName !== 'string' || PoolName === '') throw invalidParameter('PoolName is required');
      const id = `${this.options.region}_${randomString(9)}`;
      this.state.pools[id] = {
        id,
        name: PoolName,
        createdAt: Date.now(),
        config,
        clients: {},
        groups: {},
        users: {},
        signingKey: await generateSigningKey(),
        refreshTokens: {},
      };
      await this.save();
      return { UserPool: this.poolType(this.state.pools[id]) };
    },

    async DescribeUserPool(this: LocalUserPools, input: Json): Promise<Json> {
      return { UserPool: this.poolType(this.pool(str(input, 'UserPoolId'))) };
    },

    async ListUserPools(this: LocalUserPools): Promise<Json> {
      return { UserPools: Object.values(this.state.pools).map((p) => ({ Id: p.id, Name: p.name, CreationDate: epochSeconds(p.createdAt) })) };
    },

    async CreateUserPoolClient(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const clientId = randomString(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
      pool.clients[clientId] = {
        clientId,
        clientName: str(input, 'ClientName'),
        explicitAuthFlows: Array.isArray(input.ExplicitAuthFlows) ? (input.ExplicitAuthFlows as string[]) : [],
        ...(Array.isArray(input.WriteAttributes) ? { writeAttributes: input.WriteAttributes as string[] } : {}),
        createdAt: Date.now(),
      };
      await this.save();
      return { UserPoolClient: this.clientType(pool, clientId) };
    },

    async UpdateUserPoolClient(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const clientId = str(input, 'ClientId');
      const client = pool.clients[clientId];
      if (!client) throw resourceNotFound(`User pool client ${clientId} does not exist.`);
      // As Cognito: settings left out of the request go back to their defaults.
      client.explicitAuthFlows = Array.isArray(input.ExplicitAuthFlows) ? (input.ExplicitAuthFlows as string[]) : [];
      if (Array.isArray(input.WriteAttributes)) client.writeAttributes = input.WriteAttributes as string[];
      else delete client.writeAttributes;
      if (typeof input.ClientName === 'string') client.clientName = input.ClientName;
      await this.save();
      return { UserPoolClient: this.clientType(pool, clientId) };
    },

    async DescribeUserPoolClient(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const clientId = str(input, 'ClientId');
      if (!pool.clients[clientId]) throw resourceNotFound(`User pool client ${clientId} does not exist.`);
      return { UserPoolClient: this.clientType(pool, clientId) };
    },

    async CreateGroup(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const name = str(input, 'GroupName');
      if (pool.groups[name]) throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
      pool.groups[name] = {
        name,
        createdAt: Date.now(),
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        ...(typeof input.Precedence === 'number' ? { precedence: input.Precedence } : {}),
      };
      await this.save();
      return { Group: this.groupType(pool, name) };
    },

    async AdminCreateUser(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const username = str(input, 'Username');
      const key = username.toLowerCase();
      const existing = pool.users[key];
      if (input.MessageAction === 'RESEND') {
        if (!existing) throw userNotFound();
        return { User: this.userType(existing, 'Attributes') };
      }
      if (existing) throw new CognitoError('UsernameExistsException', 'User account already exists');
      const attributes: Record<string, string> = {};
      for (const a of (input.UserAttributes as AttributeType[] | undefined) ?? []) {
        if (a.Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
        attributes[a.Name] = String(a.Value);
      }
      const temporary = typeof input.TemporaryPassword === 'string' ? input.TemporaryPassword : `${randomString(12)}a1A!`;
      this.checkPassword(pool, temporary);
      const now = Date.now();
      const user: StoredUser = {
        username,
        sub: randomUUID(),
        attributes,
        status: 'FORCE_CHANGE_PASSWORD',
        enabled: true,
        password: { salt: '', hash: '' },
        groups: [],
        createdAt: now,
        updatedAt: now,
      };
      await this.setPassword(pool, user, temporary);
      const preSignUp = this.triggers.preSignUp;
      if (preSignUp) {
        const event = {
          ...this.triggerBase(pool, user, undefined),
          triggerSource: 'PreSignUp_AdminCreateUser',
          request: { userAttributes: { ...attributes }, validationData: {}, clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {} },
          response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        } as PreSignUpTriggerEvent;
        await this.runTrigger('PreSignUp', () => preSignUp(event));
      }
      pool.users[key] = user;
      await this.save();
      return { User: this.userType(user, 'Attributes') };
    },

    async AdminSetUserPassword(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      const password = str(input, 'Password');
      this.checkPassword(pool, password);
      await this.setPassword(pool, user, password);
      user.status = input.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      user.updatedAt = Date.now();
      await this.save();
      return {};
    },

    async AdminAddUserToGroup(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      const group = str(input, 'GroupName');
      if (!pool.groups[group]) throw resourceNotFound('Group not found.');
      if (!user.groups.includes(group)) user.groups.push(group);
      await this.save();
      return {};
    },

    async AdminRemoveUserFromGroup(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      const group = str(input, 'GroupName');
      if (!pool.groups[group]) throw resourceNotFound('Group not found.');
      user.groups = user.groups.filter((g) => g !== group);
      await this.save();
      return {};
    },

    async AdminListGroupsForUser(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      return { Groups: user.groups.filter((g) => pool.groups[g]).map((g) => this.groupType(pool, g)) };
    },

    async AdminGetUser(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      return this.userType(this.user(pool, str(input, 'Username')), 'UserAttributes');
    },

    async AdminDeleteUser(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      delete pool.users[user.username.toLowerCase()];
      for (const [token, owner] of Object.entries(pool.refreshTokens)) {
        if (owner.username === user.username) delete pool.refreshTokens[token];
      }
      await this.save();
      return {};
    },

    async ListUsers(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const matches = userFilter(typeof input.Filter === 'string' ? input.Filter : '');
      const all = Object.values(pool.users).filter(matches).sort((a, b) => a.createdAt - b.createdAt);
      const limit = typeof input.Limit === 'number' ? Math.min(Math.max(input.Limit, 1), 60) : 60;
      const start = typeof input.PaginationToken === 'string' ? Number(Buffer.from(input.PaginationToken, 'base64url').toString()) : 0;
      const page = all.slice(start, start + limit);
      const next = start + limit < all.length ? { PaginationToken: Buffer.from(String(start + limit)).toString('base64url') } : {};
      return { Users: page.map((u) => this.userType(u, 'Attributes')), ...next };
    },

    async InitiateAuth(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool, clientId } = this.client(str(input, 'ClientId'));
      const flow = str(input, 'AuthFlow');
      const params = (input.AuthParameters as Record<string, string> | undefined) ?? {};
      if (flow === 'USER_PASSWORD_AUTH') {
        if (!this.allowsFlow(pool, clientId, flow)) throw invalidParameter('USER_PASSWORD_AUTH flow not enabled for this client');
        if (!params.USERNAME) throw invalidParameter('Missing required parameter USERNAME');
        if (!params.PASSWORD) throw invalidParameter('Missing required parameter PASSWORD');
        const user = pool.users[params.USERNAME.toLowerCase()];
        // Prevent user existence errors: an unknown user answers exactly like a wrong password.
        if (!user || !(await passwordMatches(params.PASSWORD, user.password))) throw notAuthorized();
        if (!user.enabled) throw notAuthorized('User is disabled.');
        if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
        // Users saved before SRP existed get their verifier from the password they just proved.
        if (!user.srp) {
          user.srp = createVerifier(srpPoolName(pool.id), user.username, params.PASSWORD);
          await this.save();
        }
        if (user.status === 'FORCE_CHANGE_PASSWORD') return this.newPasswordChallenge(pool, user, clientId);
        return this.signIn(pool, user, clientId);
      }
      if (flow === 'USER_SRP_AUTH') {
        if (!this.allowsFlow(pool, clientId, flow)) throw invalidParameter('USER_SRP_AUTH flow not enabled for this client');
        if (!params.USERNAME) throw invalidParameter('Missing required parameter USERNAME');
        if (!params.SRP_A) throw invalidParameter('Missing required parameter SRP_A');
        if (!/^[0-9a-fA-F]+$/.test(params.SRP_A)) throw invalidParameter('SRP_A must be hexadecimal');
        const user = pool.users[params.USERNAME.toLowerCase()];
        // Prevent user existence errors: an unknown user (or one without a verifier yet) gets a
        // challenge like anyone's, with a verifier nobody knows the password of; it fails at the
        // answer exactly like a wrong password.
        const userId = user?.username ?? params.USERNAME;
        const srp = user?.srp ?? createVerifier(srpPoolName(pool.id), userId, randomBytes(32).toString('hex'));
        let session: ServerSession;
        try {
          session = serverChallenge(srp.verifier, params.SRP_A);
        } catch {
          throw invalidParameter('SRP_A is not valid');
        }
        const SECRET_BLOCK = randomBytes(96).toString('base64');
        this.srpChallenges.set(SECRET_BLOCK, {
          poolId: pool.id,
          clientId,
          ...(user?.srp ? { username: user.username } : {}),
          userId,
          session,
          verifier: srp.verifier,
          expiresAt: Date.now() + SRP_CHALLENGE_TTL_MS,
        });
        return {
          ChallengeName: 'PASSWORD_VERIFIER',
          ChallengeParameters: {
            SALT: srp.salt,
            SRP_B: session.B.toString(16),
            SECRET_BLOCK,
            USER_ID_FOR_SRP: userId,
            USERNAME: userId,
          },
        };
      }
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        const token = params.REFRESH_TOKEN;
        const owner = token ? pool.refreshTokens[token] : undefined;
        if (!owner || owner.clientId !== clientId || owner.expiresAt < Date.now()) throw notAuthorized('Invalid Refresh Token');
        const user = pool.users[owner.username.toLowerCase()];
        if (!user) throw notAuthorized('Invalid Refresh Token');
        if (!user.enabled) throw notAuthorized('User is disabled.');
        const tokens = await this.tokensFor(pool, user, clientId, 'TokenGeneration_RefreshTokens');
        return { AuthenticationResult: tokens, ChallengeParameters: {} };
      }
      throw invalidParameter(`${flow} flow is not supported by the local user pool (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH)`);
    },

    async RespondToAuthChallenge(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool, clientId } = this.client(str(input, 'ClientId'));
      const responses = (input.ChallengeResponses as Record<string, string> | undefined) ?? {};
      if (input.ChallengeName === 'PASSWORD_VERIFIER') {
        for (const name of ['PASSWORD_CLAIM_SIGNATURE', 'PASSWORD_CLAIM_SECRET_BLOCK', 'TIMESTAMP']) {
          if (!responses[name]) throw invalidParameter(`Missing required parameter ${name}`);
        }
        const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK!;
        const challenge = this.srpChallenges.get(secretBlock);
        this.srpChallenges.delete(secretBlock); // single use
        for (const [block, c] of this.srpChallenges) if (c.expiresAt < Date.now()) this.srpChallenges.delete(block);
        if (!challenge || challenge.poolId !== pool.id || challenge.clientId !== clientId || challenge.expiresAt < Date.now()) {
          throw notAuthorized('Incorrect username or password.');
        }
        const at = parseSrpTimestamp(responses.TIMESTAMP!);
        if (Number.isNaN(at)) throw invalidParameter('TIMESTAMP is not in the expected format');
        if (Math.abs(at - Date.now()) > SRP_CLOCK_SKEW_MS) throw notAuthorized('Incorrect username or password.');
        const poolName = srpPoolName(pool.id);
        const expected = claimSignature(serverKey(challenge.session, challenge.verifier), poolName, challenge.userId, secretBlock, responses.TIMESTAMP!);
        const user = challenge.username ? pool.users[challenge.username.toLowerCase()] : undefined;
        if (!user || !signatureMatches(expected, responses.PASSWORD_CLAIM_SIGNATURE!)) throw notAuthorized('Incorrect username or password.');
        if (!user.enabled) throw notAuthorized('User is disabled.');
        if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
        if (user.status === 'FORCE_CHANGE_PASSWORD') return this.newPasswordChallenge(pool, user, clientId);
        return this.signIn(pool, user, clientId);
      }
      if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') throw invalidParameter('Only PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED are supported locally');
      const session = this.sessions.get(str(input, 'Session'));
      if (!session || session.poolId !== pool.id || session.clientId !== clientId) throw notAuthorized('Invalid session for the user.');
      const password = responses.NEW_PASSWORD;
      if (!password) throw invalidParameter('Missing required parameter NEW_PASSWORD');
      this.checkPassword(pool, password);
      const user = this.user(pool, session.username);
      await this.setPassword(pool, user, password);
      user.status = 'CONFIRMED';
      user.updatedAt = Date.now();
      this.sessions.delete(str(input, 'Session'));
      return this.signIn(pool, user, clientId);
    },

    async SignUp(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool, clientId } = this.client(str(input, 'ClientId'));
      const username = str(input, 'Username');
      const password = str(input, 'Password');
      const attributes: Record<string, string> = {};
      const writable = pool.clients[clientId]!.writeAttributes;
      for (const a of (input.UserAttributes as AttributeType[] | undefined) ?? []) {
        if (a.Name === 'sub' || a.Name === 'email_verified' || (writable && !writable.includes(a.Name))) {
          throw notAuthorized('A client attempted to write unauthorized attribute');
        }
        attributes[a.Name] = String(a.Value);
      }
      if (pool.users[username.toLowerCase()]) throw new CognitoError('UsernameExistsException', 'User already exists');
      if (!attributes.email && username.includes('@')) attributes.email = username;
      this.checkPassword(pool, password);
      const now = Date.now();
      const user: StoredUser = {
        username,
        sub: randomUUID(),
        attributes,
        status: 'UNCONFIRMED',
        enabled: true,
        password: { salt: '', hash: '' },
        groups: [],
        createdAt: now,
        updatedAt: now,
      };
      await this.setPassword(pool, user, password);
      let autoConfirm = false;
      const preSignUp = this.triggers.preSignUp;
      if (preSignUp) {
        const event = {
          ...this.triggerBase(pool, user, clientId),
          triggerSource: 'PreSignUp_SignUp',
          request: {
            userAttributes: { ...attributes },
            validationData: Object.fromEntries(((input.ValidationData as AttributeType[] | undefined) ?? []).map((a) => [a.Name, a.Value])),
            clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {},
          },
          response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        } as PreSignUpTriggerEvent;
        // A refusal creates nothing: the user is stored only after the trigger admitted it.
        const out = await this.runTrigger('PreSignUp', () => preSignUp(event));
        autoConfirm = out.response?.autoConfirmUser === true;
        if (out.response?.autoVerifyEmail) attributes.email_verified = 'true';
      }
      if (pool.users[username.toLowerCase()]) throw new CognitoError('UsernameExistsException', 'User already exists');
      pool.users[username.toLowerCase()] = user;
      if (autoConfirm) {
        user.status = 'CONFIRMED';
        await this.save();
        return { UserConfirmed: true, UserSub: user.sub };
      }
      const CodeDeliveryDetails = await this.sendCode(user);
      await this.save();
      return { UserConfirmed: false, UserSub: user.sub, CodeDeliveryDetails };
    },

    async ConfirmSignUp(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool, clientId } = this.client(str(input, 'ClientId'));
      const code = str(input, 'ConfirmationCode');
      const user = pool.users[str(input, 'Username').toLowerCase()];
      // Prevent user existence errors: an unknown user gets the wrong-code answer.
      if (!user) throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
      if (user.status !== 'UNCONFIRMED' || !user.confirmation) {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      const pending = user.confirmation;
      if (pending.attempts >= MAX_CODE_ATTEMPTS) throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      if (pending.codeHash !== codeHash(code)) {
        pending.attempts += 1;
        await this.save();
        throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
      }
      if (pending.expiresAt < Date.now()) throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
      const postConfirmation = this.triggers.postConfirmation;
      if (postConfirmation) {
        const event = {
          ...this.triggerBase(pool, user, clientId),
          triggerSource: 'PostConfirmation_ConfirmSignUp',
          request: {
            userAttributes: { sub: user.sub, ...user.attributes, email_verified: 'true', 'cognito:user_status': 'CONFIRMED' },
            clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {},
          },
          response: {},
        } as PostConfirmationTriggerEvent;
        // Locally a failed trigger leaves the user unconfirmed, so the same code can be tried again.
        await this.runTrigger('PostConfirmation', () => postConfirmation(event));
      }
      user.status = 'CONFIRMED';
      user.attributes.email_verified = 'true';
      delete user.confirmation;
      user.updatedAt = Date.now();
      await this.save();
      return {};
    },

    async ResendConfirmationCode(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool } = this.client(str(input, 'ClientId'));
      const user = pool.users[str(input, 'Username').toLowerCase()];
      if (!user) throw userNotFound();
      if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
      if ((user.confirmation?.resends ?? 0) >= MAX_RESENDS) throw new CognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.');
      const CodeDeliveryDetails = await this.sendCode(user);
      await this.save();
      return { CodeDeliveryDetails };
    },

    async GetUser(this: LocalUserPools, input: Json): Promise<Json> {
      const token = str(input, 'AccessToken');
      for (const pool of Object.values(this.state.pools)) {
        let username: string;
        try {
          username = await verifyAccessToken(pool, token, this.options.issuerFor(pool.id));
        } catch {
          continue;
        }
        const user = this.user(pool, username);
        return { Username: user.username, UserAttributes: attributeList(user) };
      }
      throw notAuthorized('Invalid Access Token');
    },
  };
}

const attributeList = (user: StoredUser): AttributeType[] => [
  { Name: 'sub', Value: user.sub },
  ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
];

/** ListUsers' filter language, the two operators that matter: `attr = "v"` and `attr ^= "prefix"`. */
function userFilter(filter: string): (user: StoredUser) => boolean {
  if (filter.trim() === '') return () => true;
  const m = /^\s*([\w:]+)\s*(=|\^=)\s*"([^"]*)"\s*$/.exec(filter);
  if (!m) throw invalidParameter(`Invalid filter: ${filter}`);
  const [, name, op, value] = m as unknown as [string, string, string, string];
  const read = (u: StoredUser): string | undefined =>
    name === 'sub' ? u.sub : name === 'username' ? u.username : name === 'status' ? (u.enabled ? 'Enabled' : 'Disabled') : name === 'cognito:user_status' ? u.status : u.attributes[name];
  return (u) => {
    const actual = read(u);
    return actual !== undefined && (op === '=' ? actual === value : actual.startsWith(value));
  };
}
