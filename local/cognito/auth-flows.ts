/**
 * Sign-in: InitiateAuth (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH),
 * RespondToAuthChallenge (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED) and GetUser, with the
 * post-authentication and pre-token-generation triggers. The SRP math is in srp.ts, the tokens in
 * tokens.ts.
 */
import { randomBytes } from 'node:crypto';
import type { PostAuthenticationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { CognitoError, invalidParameter, notAuthorized, userNotFound } from './errors.js';
import type { PoolContext } from './pool-context.js';
import { attributeList } from './responses.js';
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
import type { StoredPool, StoredUser } from './state.js';
import { issueTokens, newRefreshToken, passwordMatches, tokenLifetimes, verifyAccessToken, type ClaimChanges } from './tokens.js';
import { str, type Json, type Operations } from './wire.js';

/** How far a PASSWORD_VERIFIER TIMESTAMP may be from the pool's clock, and how long a challenge lives. */
const SRP_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SRP_CHALLENGE_TTL_MS = 3 * 60 * 1000;

export function authFlowOperations(ctx: PoolContext): Operations {
  /** Sessions of NEW_PASSWORD_REQUIRED challenges (memory only, as they expire in minutes anyway). */
  const sessions = new Map<string, { poolId: string; username: string; clientId: string }>();
  /** Open PASSWORD_VERIFIER challenges by SECRET_BLOCK (memory only, single use, minutes). */
  const srpChallenges = new Map<string, { poolId: string; clientId: string; username?: string; userId: string; session: ServerSession; verifier: string; expiresAt: number }>();

  /** ID and access tokens, through the pre-token-generation trigger (V2_0) when there is one. */
  async function tokensFor(pool: StoredPool, user: StoredUser, clientId: string, source: PreTokenGenerationV2TriggerEvent['triggerSource']) {
    const trigger = ctx.triggers.preTokenGeneration;
    let changes: ClaimChanges = {};
    if (trigger) {
      const event = {
        ...ctx.triggerBase(pool, user, clientId),
        version: '2',
        triggerSource: source,
        request: {
          userAttributes: { sub: user.sub, ...user.attributes, 'cognito:user_status': user.status },
          groupConfiguration: { groupsToOverride: [...user.groups], iamRolesToOverride: [] },
          scopes: ['aws.cognito.signin.user.admin'],
        },
        response: { claimsAndScopeOverrideDetails: {} },
      } as PreTokenGenerationV2TriggerEvent;
      const out = await ctx.runTrigger('PreTokenGeneration', () => trigger(event));
      const d = out.response?.claimsAndScopeOverrideDetails ?? {};
      changes = {
        id: { add: d.idTokenGeneration?.claimsToAddOrOverride ?? {}, suppress: d.idTokenGeneration?.claimsToSuppress ?? [] },
        access: { add: d.accessTokenGeneration?.claimsToAddOrOverride ?? {}, suppress: d.accessTokenGeneration?.claimsToSuppress ?? [] },
      };
    }
    return issueTokens(pool, user, clientId, ctx.options.issuerFor(pool.id), changes, tokenLifetimes(pool.clients[clientId]!));
  }

  async function signIn(pool: StoredPool, user: StoredUser, clientId: string): Promise<Json> {
    const postAuthentication = ctx.triggers.postAuthentication;
    if (postAuthentication) {
      const event: PostAuthenticationTriggerEvent = {
        version: '1',
        region: ctx.options.region,
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
      await ctx.runTrigger('PostAuthentication', () => postAuthentication(event));
    }
    user.authTime = Math.floor(Date.now() / 1000);
    const tokens = await tokensFor(pool, user, clientId, 'TokenGeneration_Authentication');
    const RefreshToken = newRefreshToken();
    pool.refreshTokens[RefreshToken] = { username: user.username, clientId, expiresAt: Date.now() + tokenLifetimes(pool.clients[clientId]!).refreshSeconds * 1000 };
    await ctx.save();
    return { AuthenticationResult: { ...tokens, RefreshToken }, ChallengeParameters: {} };
  }

  function newPasswordChallenge(pool: StoredPool, user: StoredUser, clientId: string): Json {
    // The pool's TemporaryPasswordValidityDays: past it, only an administrator can help.
    if (user.temporaryPasswordExpiresAt !== undefined && user.temporaryPasswordExpiresAt < Date.now()) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
    const Session = randomBytes(48).toString('base64url');
    sessions.set(Session, { poolId: pool.id, username: user.username, clientId });
    const { email_verified: _ev, ...visible } = user.attributes;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session,
      ChallengeParameters: { USER_ID_FOR_SRP: user.username, requiredAttributes: '[]', userAttributes: JSON.stringify(visible) },
    };
  }

  /** LEGACY clients say an unknown user does not exist; the default (ENABLED) hides it. */
  function revealsUnknownUsers(pool: StoredPool, clientId: string): boolean {
    return pool.clients[clientId]!.preventUserExistenceErrors === 'LEGACY';
  }

  function allowsFlow(pool: StoredPool, clientId: string, flow: string): boolean {
    const flows = pool.clients[clientId]!.explicitAuthFlows;
    // A client created with explicit flows must allow this one; with none, allow it locally.
    return flows.length === 0 || flows.includes(`ALLOW_${flow}`) || flows.includes(flow);
  }

  return {
    async InitiateAuth(input: Json): Promise<Json> {
      const { pool, clientId } = ctx.client(str(input, 'ClientId'));
      const flow = str(input, 'AuthFlow');
      const params = (input.AuthParameters as Record<string, string> | undefined) ?? {};
      if (flow === 'USER_PASSWORD_AUTH') {
        if (!allowsFlow(pool, clientId, flow)) throw invalidParameter('USER_PASSWORD_AUTH flow not enabled for this client');
        if (!params.USERNAME) throw invalidParameter('Missing required parameter USERNAME');
        if (!params.PASSWORD) throw invalidParameter('Missing required parameter PASSWORD');
        const user = pool.users[params.USERNAME.toLowerCase()];
        if (!user && revealsUnknownUsers(pool, clientId)) throw userNotFound();
        // Prevent user existence errors: an unknown user answers exactly like a wrong password.
        if (!user || !(await passwordMatches(params.PASSWORD, user.password))) throw notAuthorized();
        if (!user.enabled) throw notAuthorized('User is disabled.');
        if (user.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
        // Users saved before SRP existed get their verifier from the password they just proved.
        if (!user.srp) {
          user.srp = createVerifier(srpPoolName(pool.id), user.username, params.PASSWORD);
          await ctx.save();
        }
        if (user.status === 'FORCE_CHANGE_PASSWORD') return newPasswordChallenge(pool, user, clientId);
        return signIn(pool, user, clientId);
      }
      if (flow === 'USER_SRP_AUTH') {
        if (!allowsFlow(pool, clientId, flow)) throw invalidParameter('USER_SRP_AUTH flow not enabled for this client');
        if (!params.USERNAME) throw invalidParameter('Missing required parameter USERNAME');
        if (!params.SRP_A) throw invalidParameter('Missing required parameter SRP_A');
        if (!/^[0-9a-fA-F]+$/.test(params.SRP_A)) throw invalidParameter('SRP_A must be hexadecimal');
        const user = pool.users[params.USERNAME.toLowerCase()];
        if (!user && revealsUnknownUsers(pool, clientId)) throw userNotFound();
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
        srpChallenges.set(SECRET_BLOCK, {
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
        const tokens = await tokensFor(pool, user, clientId, 'TokenGeneration_RefreshTokens');
        return { AuthenticationResult: tokens, ChallengeParameters: {} };
      }
      throw invalidParameter(`${flow} flow is not supported by the local user pool (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH)`);
    },

    async RespondToAuthChallenge(input: Json): Promise<Json> {
      const { pool, clientId } = ctx.client(str(input, 'ClientId'));
      const responses = (input.ChallengeResponses as Record<string, string> | undefined) ?? {};
      if (input.ChallengeName === 'PASSWORD_VERIFIER') {
        for (const name of ['PASSWORD_CLAIM_SIGNATURE', 'PASSWORD_CLAIM_SECRET_BLOCK', 'TIMESTAMP']) {
          if (!responses[name]) throw invalidParameter(`Missing required parameter ${name}`);
        }
        const secretBlock = responses.PASSWORD_CLAIM_SECRET_BLOCK!;
        const challenge = srpChallenges.get(secretBlock);
        srpChallenges.delete(secretBlock); // single use
        for (const [block, c] of srpChallenges) if (c.expiresAt < Date.now()) srpChallenges.delete(block);
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
        if (user.status === 'FORCE_CHANGE_PASSWORD') return newPasswordChallenge(pool, user, clientId);
        return signIn(pool, user, clientId);
      }
      if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') throw invalidParameter('Only PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED are supported locally');
      const session = sessions.get(str(input, 'Session'));
      if (!session || session.poolId !== pool.id || session.clientId !== clientId) throw notAuthorized('Invalid session for the user.');
      const password = responses.NEW_PASSWORD;
      if (!password) throw invalidParameter('Missing required parameter NEW_PASSWORD');
      ctx.checkPassword(pool, password, 'RespondToAuthChallenge');
      const user = ctx.user(pool, session.username);
      await ctx.setPassword(pool, user, password);
      delete user.temporaryPasswordExpiresAt;
      user.status = 'CONFIRMED';
      user.updatedAt = Date.now();
      sessions.delete(str(input, 'Session'));
      return signIn(pool, user, clientId);
    },

    async GetUser(input: Json): Promise<Json> {
      const token = str(input, 'AccessToken');
      for (const pool of Object.values(ctx.state.pools)) {
        let username: string;
        try {
          username = await verifyAccessToken(pool, token, ctx.options.issuerFor(pool.id));
        } catch {
          continue;
        }
        const user = ctx.user(pool, username);
        return { Username: user.username, UserAttributes: attributeList(user) };
      }
      throw notAuthorized('Invalid Access Token');
    },
  };
}
