import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { CognitoError, invalidParameter, notAuthorized, resourceNotFound, userNotFound } from './errors.js';
import type { PoolsState, StateStore, StoredPool, StoredUser } from './state.js';
import {
  REFRESH_TTL_SECONDS,
  generateSigningKey,
  hashPassword,
  issueTokens,
  newRefreshToken,
  passwordMatches,
  verifyAccessToken,
} from './tokens.js';

/** Called after a successful password sign-in; a throw fails the sign-in, as a Cognito trigger does. */
export type PostAuthenticationHook = (event: PostAuthenticationTriggerEvent) => Promise<unknown>;

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
  postAuthentication?: PostAuthenticationHook;
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

  private async signIn(pool: StoredPool, user: StoredUser, clientId: string): Promise<Json> {
    if (this.options.postAuthentication) {
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
      try {
        await this.options.postAuthentication(event);
      } catch (err) {
        throw new CognitoError('UserLambdaValidationException', `PostAuthentication failed with error ${(err as Error).message}.`);
      }
    }
    user.authTime = Math.floor(Date.now() / 1000);
    const RefreshToken = newRefreshToken();
    pool.refreshTokens[RefreshToken] = { username: user.username, clientId, expiresAt: Date.now() + REFRESH_TTL_SECONDS * 1000 };
    await this.save();
    const tokens = await issueTokens(pool, user, clientId, this.options.issuerFor(pool.id));
    return { AuthenticationResult: { ...tokens, RefreshToken }, ChallengeParameters: {} };
  }

  /** Sessions of NEW_PASSWORD_REQUIRED challenges (memory only, as they expire in minutes anyway). */
  private readonly sessions = new Map<string, { poolId: string; username: string; clientId: string }>();

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
      return { UserPool: this.poolType(this.state.pools[id]!) };
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
        createdAt: Date.now(),
      };
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
        password: await hashPassword(temporary),
        groups: [],
        createdAt: now,
        updatedAt: now,
      };
      pool.users[key] = user;
      await this.save();
      return { User: this.userType(user, 'Attributes') };
    },

    async AdminSetUserPassword(this: LocalUserPools, input: Json): Promise<Json> {
      const pool = this.pool(str(input, 'UserPoolId'));
      const user = this.user(pool, str(input, 'Username'));
      const password = str(input, 'Password');
      this.checkPassword(pool, password);
      user.password = await hashPassword(password);
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
      const flows = pool.clients[clientId]!.explicitAuthFlows;
      if (flow === 'USER_PASSWORD_AUTH') {
        // A client created with explicit flows must allow this one; with none, allow it locally.
        if (flows.length > 0 && !flows.includes('ALLOW_USER_PASSWORD_AUTH') && !flows.includes('USER_PASSWORD_AUTH')) {
          throw invalidParameter('USER_PASSWORD_AUTH flow not enabled for this client');
        }
        if (!params.USERNAME) throw invalidParameter('Missing required parameter USERNAME');
        if (!params.PASSWORD) throw invalidParameter('Missing required parameter PASSWORD');
        const user = pool.users[params.USERNAME.toLowerCase()];
        // Prevent user existence errors: an unknown user answers exactly like a wrong password.
        if (!user || !(await passwordMatches(params.PASSWORD, user.password))) throw notAuthorized();
        if (!user.enabled) throw notAuthorized('User is disabled.');
        if (user.status === 'FORCE_CHANGE_PASSWORD') {
          const Session = randomBytes(48).toString('base64url');
          this.sessions.set(Session, { poolId: pool.id, username: user.username, clientId });
          const { email_verified: _ev, ...visible } = user.attributes;
          return {
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session,
            ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(visible) },
          };
        }
        return this.signIn(pool, user, clientId);
      }
      if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
        const token = params.REFRESH_TOKEN;
        const owner = token ? pool.refreshTokens[token] : undefined;
        if (!owner || owner.clientId !== clientId || owner.expiresAt < Date.now()) throw notAuthorized('Invalid Refresh Token');
        const user = pool.users[owner.username.toLowerCase()];
        if (!user) throw notAuthorized('Invalid Refresh Token');
        if (!user.enabled) throw notAuthorized('User is disabled.');
        const tokens = await issueTokens(pool, user, clientId, this.options.issuerFor(pool.id));
        return { AuthenticationResult: tokens, ChallengeParameters: {} };
      }
      throw invalidParameter(`${flow} flow is not supported by the local user pool (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH)`);
    },

    async RespondToAuthChallenge(this: LocalUserPools, input: Json): Promise<Json> {
      const { pool, clientId } = this.client(str(input, 'ClientId'));
      if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') throw invalidParameter('Only NEW_PASSWORD_REQUIRED is supported locally');
      const session = this.sessions.get(str(input, 'Session'));
      if (!session || session.poolId !== pool.id || session.clientId !== clientId) throw notAuthorized('Invalid session for the user.');
      const responses = (input.ChallengeResponses as Record<string, string> | undefined) ?? {};
      const password = responses.NEW_PASSWORD;
      if (!password) throw invalidParameter('Missing required parameter NEW_PASSWORD');
      this.checkPassword(pool, password);
      const user = this.user(pool, session.username);
      user.password = await hashPassword(password);
      user.status = 'CONFIRMED';
      user.updatedAt = Date.now();
      this.sessions.delete(str(input, 'Session'));
      return this.signIn(pool, user, clientId);
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
