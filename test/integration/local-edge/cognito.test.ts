import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { startLocalUserPool, createTokenVerifier, type LocalUserPool } from '../../../local/cognito/index.js';

const PASSWORD = 'Correct-horse-1';
const sdk = (endpoint: string) =>
  new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

async function seedPool(client: CognitoIdentityProviderClient) {
  const { UserPool } = await client.send(new CreateUserPoolCommand({ PoolName: 'carestack-test' }));
  const UserPoolId = UserPool!.Id!;
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
  );
  for (const GroupName of ['admin', 'coordinator']) await client.send(new CreateGroupCommand({ UserPoolId, GroupName }));
  return { UserPoolId, ClientId: UserPoolClient!.ClientId! };
}

async function createUser(client: CognitoIdentityProviderClient, UserPoolId: string, email: string, groups: string[]) {
  const { User } = await client.send(
    new AdminCreateUserCommand({
      UserPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: 'Temporary-pass-1',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Ada Admin' },
        { Name: 'custom:orgId', Value: 'org-1' },
      ],
    }),
  );
  await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: email, Password: PASSWORD, Permanent: true }));
  for (const GroupName of groups) await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName }));
  return User!;
}

describe('local user pool with the AWS SDK client', () => {
  let dir: string;
  let pool: LocalUserPool;
  let client: CognitoIdentityProviderClient;
  let ids: { UserPoolId: string; ClientId: string };
  const postAuthEvents: PostAuthenticationTriggerEvent[] = [];
  let failPostAuth = false;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carestack-cognito-'));
    pool = await startLocalUserPool({
      port: 0,
      stateFile: join(dir, 'cognito.json'),
      postAuthentication: async (event) => {
        postAuthEvents.push(event);
        if (failPostAuth) throw new Error('audit store unavailable');
      },
    });
    client = sdk(pool.endpoint);
    ids = await seedPool(client);
  });

  afterAll(async () => {
    client?.destroy();
    await pool?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a pool id shaped like Cognito\'s', () => {
    expect(ids.UserPoolId).toMatch(/^us-east-1_[A-Za-z0-9]{9}$/);
    expect(ids.ClientId).toMatch(/^[a-z0-9]{26}$/);
  });

  it('creates a user with a generated sub and FORCE_CHANGE_PASSWORD, then CONFIRMED after a permanent password', async () => {
    const { UserPoolId } = ids;
    const { User } = await client.send(
      new AdminCreateUserCommand({ UserPoolId, Username: 'temp@example.org', MessageAction: 'SUPPRESS', TemporaryPassword: 'Temporary-pass-1', UserAttributes: [{ Name: 'email', Value: 'temp@example.org' }] }),
    );
    expect(User!.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(User!.UserCreateDate).toBeInstanceOf(Date);
    const sub = User!.Attributes!.find((a) => a.Name === 'sub')!.Value!;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);

    await client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: 'temp@example.org', Password: PASSWORD, Permanent: true }));
    const got = await client.send(new AdminGetUserCommand({ UserPoolId, Username: 'temp@example.org' }));
    expect(got.UserStatus).toBe('CONFIRMED');
    expect(got.UserAttributes).toContainEqual({ Name: 'sub', Value: sub });
  });

  it('signs in with USER_PASSWORD_AUTH and issues an ID token that jose verifies against the served JWKS', async () => {
    const user = await createUser(client, ids.UserPoolId, 'ada@example.org', ['admin', 'coordinator']);
    const sub = user.Attributes!.find((a) => a.Name === 'sub')!.Value;

    const out = await client.send(
      new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME: 'ada@example.org', PASSWORD } }),
    );
    const result = out.AuthenticationResult!;
    expect(result.TokenType).toBe('Bearer');
    expect(result.ExpiresIn).toBe(3600);

    const jwks = createRemoteJWKSet(new URL(`${pool.endpoint}/${ids.UserPoolId}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(result.IdToken!, jwks, { issuer: `${pool.endpoint}/${ids.UserPoolId}`, audience: ids.ClientId });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    expect(payload).toMatchObject({
      sub,
      aud: ids.ClientId,
      email: 'ada@example.org',
      email_verified: true,
      name: 'Ada Admin',
      'cognito:username': 'ada@example.org',
      'cognito:groups': ['admin', 'coordinator'],
      'custom:orgId': 'org-1',
      token_use: 'id',
    });
    expect(payload).not.toHaveProperty('custom:patientId');
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(typeof payload.auth_time).toBe('number');

    const access = decodeJwt(result.AccessToken!);
    expect(access).toMatchObject({ sub, client_id: ids.ClientId, username: 'ada@example.org', 'cognito:groups': ['admin', 'coordinator'], scope: 'aws.cognito.signin.user.admin', token_use: 'access' });

    const verify = createTokenVerifier({ issuer: pool.issuer(ids.UserPoolId), jwksUri: pool.jwksUri(ids.UserPoolId), clientId: ids.ClientId });
    await expect(verify(result.IdToken!)).resolves.toMatchObject({ sub, 'custom:orgId': 'org-1' });
    await expect(verify(result.AccessToken!)).rejects.toThrow();

    const me = await client.send(new GetUserCommand({ AccessToken: result.AccessToken! }));
    expect(me.Username).toBe('ada@example.org');
    expect(me.UserAttributes).toContainEqual({ Name: 'custom:orgId', Value: 'org-1' });

    const refreshed = await client.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: ids.ClientId, AuthParameters: { REFRESH_TOKEN: result.RefreshToken! } }),
    );
    expect(refreshed.AuthenticationResult!.RefreshToken).toBeUndefined();
    await expect(verify(refreshed.AuthenticationResult!.IdToken!)).resolves.toMatchObject({ sub });
  });

  it('calls the post-authentication hook with a Cognito-shaped event, and a failing hook fails the sign-in', async () => {
    await createUser(client, ids.UserPoolId, 'hook@example.org', []);
    postAuthEvents.length = 0;
    await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME: 'hook@example.org', PASSWORD } }));
    expect(postAuthEvents).toHaveLength(1);
    expect(postAuthEvents[0]).toMatchObject({
      version: '1',
      region: 'us-east-1',
      userPoolId: ids.UserPoolId,
      userName: 'hook@example.org',
      triggerSource: 'PostAuthentication_Authentication',
      callerContext: { clientId: ids.ClientId },
      request: { userAttributes: { sub: expect.any(String), 'custom:orgId': 'org-1', email: 'hook@example.org' }, newDeviceUsed: false },
      response: {},
    });

    failPostAuth = true;
    try {
      await expect(
        client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME: 'hook@example.org', PASSWORD } })),
      ).rejects.toMatchObject({ name: 'UserLambdaValidationException' });
    } finally {
      failPostAuth = false;
    }
  });

  it('answers a wrong password and an unknown user alike with NotAuthorizedException', async () => {
    await createUser(client, ids.UserPoolId, 'bob@example.org', []);
    const attempt = (USERNAME: string, PASSWORD: string) =>
      client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME, PASSWORD } }));
    await expect(attempt('bob@example.org', 'Wrong-pass-1')).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await expect(attempt('nobody@example.org', PASSWORD)).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
  });

  it('throws the named exceptions the SDK defines', async () => {
    const { UserPoolId } = ids;
    await createUser(client, UserPoolId, 'dup@example.org', []);
    await expect(
      client.send(new AdminCreateUserCommand({ UserPoolId, Username: 'dup@example.org', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'dup@example.org' }] })),
    ).rejects.toMatchObject({ name: 'UsernameExistsException', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new AdminGetUserCommand({ UserPoolId, Username: 'ghost@example.org' }))).rejects.toMatchObject({ name: 'UserNotFoundException' });
    await expect(client.send(new CreateGroupCommand({ UserPoolId, GroupName: 'admin' }))).rejects.toMatchObject({ name: 'GroupExistsException' });
    await expect(client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: 'dup@example.org', GroupName: 'wizard' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      client.send(new AdminSetUserPasswordCommand({ UserPoolId, Username: 'dup@example.org', Password: 'short', Permanent: true })),
    ).rejects.toMatchObject({ name: 'InvalidPasswordException' });
  });

  it('answers a FORCE_CHANGE_PASSWORD user with NEW_PASSWORD_REQUIRED, and the challenge response signs in', async () => {
    const { UserPoolId, ClientId } = ids;
    await client.send(
      new AdminCreateUserCommand({ UserPoolId, Username: 'new@example.org', MessageAction: 'SUPPRESS', TemporaryPassword: 'Temporary-pass-1', UserAttributes: [{ Name: 'email', Value: 'new@example.org' }] }),
    );
    const out = await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId, AuthParameters: { USERNAME: 'new@example.org', PASSWORD: 'Temporary-pass-1' } }));
    expect(out.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(out.AuthenticationResult).toBeUndefined();
    const done = await client.send(
      new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: out.Session!, ChallengeResponses: { USERNAME: 'new@example.org', NEW_PASSWORD: PASSWORD } }),
    );
    expect(done.AuthenticationResult!.IdToken).toBeDefined();
    expect((await client.send(new AdminGetUserCommand({ UserPoolId, Username: 'new@example.org' }))).UserStatus).toBe('CONFIRMED');
  });

  it('lists, regroups and deletes users', async () => {
    const { UserPoolId } = ids;
    await createUser(client, UserPoolId, 'carol@example.org', ['coordinator']);
    const listed = await client.send(new ListUsersCommand({ UserPoolId, Filter: 'email = "carol@example.org"' }));
    expect(listed.Users!.map((u) => u.Username)).toEqual(['carol@example.org']);

    await client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: 'carol@example.org', GroupName: 'coordinator' }));
    expect((await client.send(new AdminListGroupsForUserCommand({ UserPoolId, Username: 'carol@example.org' }))).Groups).toEqual([]);
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId, Username: 'carol@example.org', GroupName: 'admin' }));
    expect((await client.send(new AdminListGroupsForUserCommand({ UserPoolId, Username: 'carol@example.org' }))).Groups!.map((g) => g.GroupName)).toEqual(['admin']);

    await client.send(new AdminDeleteUserCommand({ UserPoolId, Username: 'carol@example.org' }));
    await expect(client.send(new AdminGetUserCommand({ UserPoolId, Username: 'carol@example.org' }))).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });

  it('keeps pools, users and signing keys across a restart with the same state file', async () => {
    await createUser(client, ids.UserPoolId, 'persist@example.org', ['admin']);
    const before = await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME: 'persist@example.org', PASSWORD } }));
    const oldJwks = pool.jwks(ids.UserPoolId);
    await pool.stop();
    client.destroy();

    pool = await startLocalUserPool({ port: 0, stateFile: join(dir, 'cognito.json') });
    client = sdk(pool.endpoint);
    expect(pool.listPools()).toContainEqual({ id: ids.UserPoolId, name: 'carestack-test', clientIds: [ids.ClientId] });
    expect(pool.jwks(ids.UserPoolId)).toEqual(oldJwks);
    await expect(pool.ensurePool('carestack-test', 'web')).resolves.toEqual({ userPoolId: ids.UserPoolId, clientId: ids.ClientId });

    const after = await client.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: ids.ClientId, AuthParameters: { USERNAME: 'persist@example.org', PASSWORD } }));
    expect(decodeJwt(after.AuthenticationResult!.IdToken!).sub).toBe(decodeJwt(before.AuthenticationResult!.IdToken!).sub);
    const refreshed = await client.send(
      new InitiateAuthCommand({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: ids.ClientId, AuthParameters: { REFRESH_TOKEN: before.AuthenticationResult!.RefreshToken! } }),
    );
    expect(refreshed.AuthenticationResult!.IdToken).toBeDefined();
  });
});
