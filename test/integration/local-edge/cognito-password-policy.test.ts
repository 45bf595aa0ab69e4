import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { APP_CLIENT, PASSWORD_POLICY, appClientInput, passwordPolicyInput } from '../../../lib/user-pool-definition.js';
import { startLocalUserPool, type LocalUserPool } from '../../../local/cognito/index.js';

/**
 * The local pool refuses what the deployed pool refuses: `ensurePool` (what `npm start` uses)
 * builds the pool and its app client from lib/user-pool-definition.ts, the CDK pool's source
 * (test/infra/stateful.test.ts checks the template against the same module).
 */
const GOOD = 'Correct-horse-1!';
let pool: LocalUserPool;
let sdk: CognitoIdentityProviderClient;
let ids: { userPoolId: string; clientId: string };
let n = 0;
const email = () => `policy-${++n}-${Date.now()}@example.org`;
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (err: Error) => ({ name: err.name, message: err.message }));
const signUp = (Password: string, Username = email()) => sdk.send(new SignUpCommand({ ClientId: ids.clientId, Username, Password }));
const adminCreate = (Username: string, TemporaryPassword?: string) =>
  sdk.send(new AdminCreateUserCommand({ UserPoolId: ids.userPoolId, Username, MessageAction: 'SUPPRESS', ...(TemporaryPassword ? { TemporaryPassword } : {}) }));

beforeAll(async () => {
  pool = await startLocalUserPool({ port: 0 });
  ids = await pool.ensurePool('policy-test', 'app');
  sdk = new CognitoIdentityProviderClient({ endpoint: pool.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
});

afterAll(async () => {
  sdk?.destroy();
  await pool?.stop();
});

describe('the local pool takes its password policy from the CDK definition', () => {
  it('describes the pool with the definition\'s policy (12 characters, every class)', async () => {
    const { UserPool } = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: ids.userPoolId }));
    expect(UserPool!.Policies).toEqual(passwordPolicyInput().Policies);
    expect(UserPool!.Policies!.PasswordPolicy!.MinimumLength).toBe(12);
  });

  it('refuses a sign-up with an 8-character password that Cognito\'s default policy would take, as the CDK pool does', async () => {
    const eight = 'Abcde1!x';
    expect(eight).toHaveLength(8);
    expect(await refusal(signUp(eight))).toEqual({ name: 'InvalidPasswordException', message: 'Password did not conform with policy: Password not long enough' });
    expect(await refusal(signUp('Abcdefghi1!'))).toEqual({ name: 'InvalidPasswordException', message: 'Password did not conform with policy: Password not long enough' });
  });

  it.each([
    ['lowercase', 'ABCDEFGHIJ1!', 'Password must have lowercase characters'],
    ['uppercase', 'abcdefghij1!', 'Password must have uppercase characters'],
    ['numeric', 'Abcdefghijk!', 'Password must have numeric characters'],
    ['symbol', 'Abcdefghijk1', 'Password must have symbol characters'],
    ['symbol (é is a letter, not one of Cognito\'s symbols)', 'Abcdefghijk1é', 'Password must have symbol characters'],
  ])('refuses a sign-up without a %s character', async (_rule, password, why) => {
    expect(await refusal(signUp(password))).toEqual({ name: 'InvalidPasswordException', message: `Password did not conform with policy: ${why}` });
  });

  it('accepts a sign-up whose password has 12 characters of every class', async () => {
    const out = await sdk.send(new SignUpCommand({ ClientId: ids.clientId, Username: email(), Password: 'Abcdefghij1!' }));
    expect(out.UserConfirmed).toBe(false);
    expect(out.UserSub).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses the same passwords where an administrator sets them, with the admin operations\' wording', async () => {
    const who = email();
    expect(await refusal(adminCreate(who, 'Short-pw-1'))).toEqual({ name: 'InvalidPasswordException', message: 'Password does not conform to policy: Password not long enough' });
    await adminCreate(who, 'Temporary-pass-1');
    expect(await refusal(sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: ids.userPoolId, Username: who, Password: 'Abcdefghijk1', Permanent: true })))).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password must have symbol characters',
    });
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: ids.userPoolId, Username: who, Password: GOOD, Permanent: true }));
    const signedIn = await sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who, PASSWORD: GOOD } }));
    expect(signedIn.AuthenticationResult?.IdToken).toBeDefined();
  });

  it('refuses a weak new password at the NEW_PASSWORD_REQUIRED challenge and takes a good one', async () => {
    const who = email();
    await adminCreate(who, 'Temporary-pass-1');
    const challenge = await sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who, PASSWORD: 'Temporary-pass-1' } }));
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answer = (NEW_PASSWORD: string, Session: string) =>
      sdk.send(new RespondToAuthChallengeCommand({ ClientId: ids.clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session, ChallengeResponses: { USERNAME: who, NEW_PASSWORD } }));
    expect(await refusal(answer('new-password-1!', challenge.Session!))).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password must have uppercase characters',
    });
    const done = await answer(GOOD, challenge.Session!);
    expect(done.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('lets a temporary password sign in for the definition\'s TemporaryPasswordValidityDays and no longer', async () => {
    const [fresh, stale] = [email(), email()];
    await adminCreate(fresh, 'Temporary-pass-1');
    await adminCreate(stale, 'Temporary-pass-1');
    const start = Date.now();
    const signIn = (USERNAME: string) => pool.call('InitiateAuth', { ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: 'Temporary-pass-1' } });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(start + PASSWORD_POLICY.temporaryPasswordValidityDays * 86_400_000 - 60_000);
      expect((await signIn(fresh)).ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      vi.setSystemTime(start + PASSWORD_POLICY.temporaryPasswordValidityDays * 86_400_000 + 60_000);
      expect(await refusal(signIn(stale))).toEqual({ name: 'NotAuthorizedException', message: 'Temporary password has expired and must be reset by an administrator.' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('generates a temporary password the policy accepts when the administrator gives none', async () => {
    const out = await adminCreate(email());
    expect(out.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
  });
});

describe('the local app client takes its settings from the CDK definition', () => {
  it('has the definition\'s flows, write attributes and token lifetimes, and issues tokens that live that long', async () => {
    const { UserPoolClient } = await sdk.send(new DescribeUserPoolClientCommand({ UserPoolId: ids.userPoolId, ClientId: ids.clientId }));
    const expected = appClientInput();
    expect(UserPoolClient).toMatchObject({
      ExplicitAuthFlows: expected.ExplicitAuthFlows,
      WriteAttributes: expected.WriteAttributes,
      PreventUserExistenceErrors: 'ENABLED',
      AccessTokenValidity: APP_CLIENT.accessTokenValidityMinutes,
      IdTokenValidity: APP_CLIENT.idTokenValidityMinutes,
      RefreshTokenValidity: APP_CLIENT.refreshTokenValidityDays * 24 * 60,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });

    const who = email();
    await adminCreate(who, 'Temporary-pass-1');
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: ids.userPoolId, Username: who, Password: GOOD, Permanent: true }));
    const out = await sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who, PASSWORD: GOOD } }));
    const id = decodeJwt(out.AuthenticationResult!.IdToken!);
    const access = decodeJwt(out.AuthenticationResult!.AccessToken!);
    expect(id.exp! - id.iat!).toBe(APP_CLIENT.idTokenValidityMinutes * 60);
    expect(access.exp! - access.iat!).toBe(APP_CLIENT.accessTokenValidityMinutes * 60);
    expect(out.AuthenticationResult!.ExpiresIn).toBe(APP_CLIENT.accessTokenValidityMinutes * 60);
  });

  it('issues tokens with the lifetimes a client was given, so a changed definition shows locally', async () => {
    const created = await pool.call('CreateUserPoolClient', {
      UserPoolId: ids.userPoolId,
      ClientName: 'short-lived',
      ...appClientInput({ ...APP_CLIENT, accessTokenValidityMinutes: 5, idTokenValidityMinutes: 15 }),
    });
    const ClientId = (created.UserPoolClient as { ClientId: string }).ClientId;
    const who = email();
    await adminCreate(who, 'Temporary-pass-1');
    await sdk.send(new AdminSetUserPasswordCommand({ UserPoolId: ids.userPoolId, Username: who, Password: GOOD, Permanent: true }));
    const out = await sdk.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who, PASSWORD: GOOD } }));
    const id = decodeJwt(out.AuthenticationResult!.IdToken!);
    const access = decodeJwt(out.AuthenticationResult!.AccessToken!);
    expect(access.exp! - access.iat!).toBe(5 * 60);
    expect(id.exp! - id.iat!).toBe(15 * 60);
  });

  it('answers an unknown user like a wrong password (prevent user existence errors), and says so only when the client is LEGACY', async () => {
    const unknown = { USERNAME: email(), PASSWORD: GOOD };
    expect(await refusal(sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: unknown })))).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    const legacy = await pool.call('CreateUserPoolClient', { UserPoolId: ids.userPoolId, ClientName: 'legacy', ...appClientInput({ ...APP_CLIENT, preventUserExistenceErrors: false }) });
    const ClientId = (legacy.UserPoolClient as { ClientId: string }).ClientId;
    expect(await refusal(sdk.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: unknown })))).toEqual({
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
  });
});

describe('a pool persisted before the policy came from the definition', () => {
  it('is brought up to the definition\'s policy by ensurePool, so an old state file cannot keep the 8-character minimum', async () => {
    const other = await startLocalUserPool({ port: 0 });
    try {
      await other.call('CreateUserPool', { PoolName: 'old-pool' });
      const { userPoolId, clientId } = await other.ensurePool('old-pool', 'app');
      const described = await other.call('DescribeUserPool', { UserPoolId: userPoolId });
      expect((described.UserPool as { Policies: unknown }).Policies).toEqual(passwordPolicyInput().Policies);
      const refused = await other.call('SignUp', { ClientId: clientId, Username: email(), Password: 'Abcde1!x' }).catch((err: Error) => err);
      expect(refused).toMatchObject({ name: 'InvalidPasswordException', message: 'Password did not conform with policy: Password not long enough' });
    } finally {
      await other.stop();
    }
    expect(PASSWORD_POLICY.minimumLength).toBeGreaterThan(8);
  });
});
