/**
 * Pools, app clients, groups and users as an administrator manages them (IAM-signed calls: the
 * identity function, the seed, the tests): CreateUserPool ... ListUsers.
 */
import { randomUUID } from 'node:crypto';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { CognitoError, invalidParameter, resourceNotFound, userNotFound } from './errors.js';
import type { PoolContext } from './pool-context.js';
import { clientType, epochSeconds, groupType, poolType, userType } from './responses.js';
import { temporaryPasswordExpiry } from './password-policy.js';
import type { StoredClient, StoredUser, TimeUnit, TokenValidity } from './state.js';
import { generateSigningKey } from './tokens.js';
import { randomString, str, type AttributeType, type Json, type Operations } from './wire.js';

export function adminOperations(ctx: PoolContext): Operations {
  const region = ctx.options.region;
  return {
    async CreateUserPool(input: Json): Promise<Json> {
      const { PoolName, ...config } = input;
      if (typeof PoolName !== 'string' || PoolName === '') throw invalidParameter('PoolName is required');
      const id = `${region}_${randomString(9)}`;
      ctx.state.pools[id] = {
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
      await ctx.save();
      return { UserPool: poolType(ctx.state.pools[id], region) };
    },

    async UpdateUserPool(input: Json): Promise<Json> {
      const { UserPoolId: _id, ...config } = input;
      const pool = ctx.pool(str(input, 'UserPoolId'));
      // As Cognito: settings left out of the request go back to their defaults.
      pool.config = config;
      await ctx.save();
      return {};
    },

    async DescribeUserPool(input: Json): Promise<Json> {
      return { UserPool: poolType(ctx.pool(str(input, 'UserPoolId')), region) };
    },

    async ListUserPools(): Promise<Json> {
      return { UserPools: Object.values(ctx.state.pools).map((p) => ({ Id: p.id, Name: p.name, CreationDate: epochSeconds(p.createdAt) })) };
    },

    async CreateUserPoolClient(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const clientId = randomString(26, 'abcdefghijklmnopqrstuvwxyz0123456789');
      pool.clients[clientId] = { clientId, clientName: str(input, 'ClientName'), ...clientSettings(input), createdAt: Date.now() };
      await ctx.save();
      return { UserPoolClient: clientType(pool, clientId) };
    },

    async UpdateUserPoolClient(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const clientId = str(input, 'ClientId');
      const client = pool.clients[clientId];
      if (!client) throw resourceNotFound(`User pool client ${clientId} does not exist.`);
      // As Cognito: settings left out of the request go back to their defaults.
      pool.clients[clientId] = {
        clientId,
        clientName: typeof input.ClientName === 'string' ? input.ClientName : client.clientName,
        ...clientSettings(input),
        createdAt: client.createdAt,
      };
      await ctx.save();
      return { UserPoolClient: clientType(pool, clientId) };
    },

    async DescribeUserPoolClient(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const clientId = str(input, 'ClientId');
      if (!pool.clients[clientId]) throw resourceNotFound(`User pool client ${clientId} does not exist.`);
      return { UserPoolClient: clientType(pool, clientId) };
    },

    async CreateGroup(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const name = str(input, 'GroupName');
      if (pool.groups[name]) throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
      pool.groups[name] = {
        name,
        createdAt: Date.now(),
        ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
        ...(typeof input.Precedence === 'number' ? { precedence: input.Precedence } : {}),
      };
      await ctx.save();
      return { Group: groupType(pool, name) };
    },

    async AdminCreateUser(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const username = str(input, 'Username');
      const key = username.toLowerCase();
      const existing = pool.users[key];
      if (input.MessageAction === 'RESEND') {
        if (!existing) throw userNotFound();
        return { User: userType(existing, 'Attributes') };
      }
      if (existing) throw new CognitoError('UsernameExistsException', 'User account already exists');
      const attributes: Record<string, string> = {};
      for (const a of (input.UserAttributes as AttributeType[] | undefined) ?? []) {
        if (a.Name === 'sub') throw invalidParameter('Cannot modify the non-mutable attribute sub');
        attributes[a.Name] = String(a.Value);
      }
      const temporary = typeof input.TemporaryPassword === 'string' ? input.TemporaryPassword : `${randomString(12)}a1A!`;
      ctx.checkPassword(pool, temporary, 'AdminCreateUser');
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
        temporaryPasswordExpiresAt: temporaryPasswordExpiry(pool, now),
      };
      await ctx.setPassword(pool, user, temporary);
      const preSignUp = ctx.triggers.preSignUp;
      if (preSignUp) {
        const event = {
          ...ctx.triggerBase(pool, user, undefined),
          triggerSource: 'PreSignUp_AdminCreateUser',
          request: { userAttributes: { ...attributes }, validationData: {}, clientMetadata: (input.ClientMetadata as Record<string, string> | undefined) ?? {} },
          response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        } as PreSignUpTriggerEvent;
        await ctx.runTrigger('PreSignUp', () => preSignUp(event));
      }
      pool.users[key] = user;
      await ctx.save();
      return { User: userType(user, 'Attributes') };
    },

    async AdminSetUserPassword(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const user = ctx.user(pool, str(input, 'Username'));
      const password = str(input, 'Password');
      ctx.checkPassword(pool, password, 'AdminSetUserPassword');
      await ctx.setPassword(pool, user, password);
      user.status = input.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
      user.updatedAt = Date.now();
      if (input.Permanent === true) delete user.temporaryPasswordExpiresAt;
      else user.temporaryPasswordExpiresAt = temporaryPasswordExpiry(pool, user.updatedAt);
      await ctx.save();
      return {};
    },

    async AdminAddUserToGroup(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const user = ctx.user(pool, str(input, 'Username'));
      const group = str(input, 'GroupName');
      if (!pool.groups[group]) throw resourceNotFound('Group not found.');
      if (!user.groups.includes(group)) user.groups.push(group);
      await ctx.save();
      return {};
    },

    async AdminRemoveUserFromGroup(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const user = ctx.user(pool, str(input, 'Username'));
      const group = str(input, 'GroupName');
      if (!pool.groups[group]) throw resourceNotFound('Group not found.');
      user.groups = user.groups.filter((g) => g !== group);
      await ctx.save();
      return {};
    },

    async AdminListGroupsForUser(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const user = ctx.user(pool, str(input, 'Username'));
      return { Groups: user.groups.filter((g) => pool.groups[g]).map((g) => groupType(pool, g)) };
    },

    async AdminGetUser(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      return userType(ctx.user(pool, str(input, 'Username')), 'UserAttributes');
    },

    async AdminDeleteUser(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const user = ctx.user(pool, str(input, 'Username'));
      delete pool.users[user.username.toLowerCase()];
      for (const [token, owner] of Object.entries(pool.refreshTokens)) {
        if (owner.username === user.username) delete pool.refreshTokens[token];
      }
      await ctx.save();
      return {};
    },

    async ListUsers(input: Json): Promise<Json> {
      const pool = ctx.pool(str(input, 'UserPoolId'));
      const matches = userFilter(typeof input.Filter === 'string' ? input.Filter : '');
      const all = Object.values(pool.users).filter(matches).sort((a, b) => a.createdAt - b.createdAt);
      const limit = typeof input.Limit === 'number' ? Math.min(Math.max(input.Limit, 1), 60) : 60;
      const start = typeof input.PaginationToken === 'string' ? Number(Buffer.from(input.PaginationToken, 'base64url').toString()) : 0;
      const page = all.slice(start, start + limit);
      const next = start + limit < all.length ? { PaginationToken: Buffer.from(String(start + limit)).toString('base64url') } : {};
      return { Users: page.map((u) => userType(u, 'Attributes')), ...next };
    },
  };
}

const TIME_UNITS = new Set<string>(['seconds', 'minutes', 'hours', 'days']);

/** The settings of a CreateUserPoolClient or UpdateUserPoolClient request the pool acts on. */
function clientSettings(input: Json): Omit<StoredClient, 'clientId' | 'clientName' | 'createdAt'> {
  const tokenValidity: TokenValidity = {};
  for (const key of ['AccessTokenValidity', 'IdTokenValidity', 'RefreshTokenValidity'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw invalidParameter(`${key} must be a positive integer`);
    tokenValidity[key] = value;
  }
  if (input.TokenValidityUnits !== undefined) {
    const units = input.TokenValidityUnits as Record<string, unknown>;
    tokenValidity.TokenValidityUnits = {};
    for (const key of ['AccessToken', 'IdToken', 'RefreshToken'] as const) {
      const unit = units[key];
      if (unit === undefined) continue;
      if (typeof unit !== 'string' || !TIME_UNITS.has(unit)) throw invalidParameter(`TokenValidityUnits.${key} must be seconds, minutes, hours or days`);
      tokenValidity.TokenValidityUnits[key] = unit as TimeUnit;
    }
  }
  const prevent = input.PreventUserExistenceErrors;
  if (prevent !== undefined && prevent !== 'ENABLED' && prevent !== 'LEGACY') throw invalidParameter('PreventUserExistenceErrors must be ENABLED or LEGACY');
  return {
    explicitAuthFlows: Array.isArray(input.ExplicitAuthFlows) ? (input.ExplicitAuthFlows as string[]) : [],
    ...(Array.isArray(input.WriteAttributes) ? { writeAttributes: input.WriteAttributes as string[] } : {}),
    ...(Object.keys(tokenValidity).length > 0 ? { tokenValidity } : {}),
    ...(prevent !== undefined ? { preventUserExistenceErrors: prevent } : {}),
  };
}

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
