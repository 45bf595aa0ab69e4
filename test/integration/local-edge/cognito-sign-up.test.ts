/**
 * The local pool's sign-up and SRP through the real clients: the AWS SDK for SignUp,
 * ConfirmSignUp and ResendConfirmationCode (errors in Cognito's shape), and amazon-cognito-identity-js
 * signing in with its default USER_SRP_AUTH flow. Triggers are stand-ins recording their events.
 */
import { createRequire } from 'node:module';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTokenVerifier, startLocalUserPool, type LocalUserPool } from '../../../local/cognito/index.js';
import type { CognitoUserSession } from 'amazon-cognito-identity-js';

const require = createRequire(import.meta.url);
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require('amazon-cognito-identity-js');

const PASSWORD = 'Correct-horse-1!';
let pool: LocalUserPool;
let sdk: CognitoIdentityProviderClient;
let ids: { userPoolId: string; clientId: string };
const sent: Array<{ to: string; text: string }> = [];
const preSignUps: PreSignUpTriggerEvent[] = [];
const confirmations: PostConfirmationTriggerEvent[] = [];
let failConfirmation = false;

beforeAll(async () => {
  pool = await startLocalUserPool({
    port: 0,
    deliverCode: async (m) => void sent.push(m),
    triggers: {
      preSignUp: async (event) => {
        preSignUps.push(event);
        if (event.triggerSource === 'PreSignUp_SignUp' && event.request.clientMetadata?.invitationCode !== 'GOOD') throw new Error('Sign-up needs a valid invitation');
        return event;
      },
      postConfirmation: async (event) => {
        if (failConfirmation) throw new Error('table unavailable');
        confirmations.push(event);
        return event;
      },
      preTokenGeneration: async (event: PreTokenGenerationV2TriggerEvent) => {
        const claims = { 'custom:orgId': 'org-from-invitation' };
        event.response = { claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: claims }, accessTokenGeneration: { claimsToAddOrOverride: claims } } };
        return event;
      },
    },
  });
  ids = await pool.ensurePool('sign-up-test', 'app');
  sdk = new CognitoIdentityProviderClient({ endpoint: pool.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
});

afterAll(async () => {
  sdk?.destroy();
  await pool?.stop();
});

beforeEach(() => {
  failConfirmation = false;
});

let n = 0;
const email = () => `person-${++n}-${Date.now()}@example.org`;
const signUp = (Username: string, code = 'GOOD', extra: Array<{ Name: string; Value: string }> = []) =>
  sdk.send(new SignUpCommand({ ClientId: ids.clientId, Username, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: Username }, { Name: 'name', Value: 'New Person' }, ...extra], ClientMetadata: { invitationCode: code } }));
const lastCode = (to: string) => /\b(\d{6})\b/.exec(sent.filter((m) => m.to === to).at(-1)!.text)![1]!;
const error = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  throw new Error('expected a failure');
};
const exists = async (Username: string) =>
  sdk.send(new AdminGetUserCommand({ UserPoolId: ids.userPoolId, Username })).then(() => true, (err: Error) => (err.name === 'UserNotFoundException' ? false : Promise.reject(err)));

/** amazon-cognito-identity-js's own sign-in (USER_SRP_AUTH by default) against the local pool. */
function srpSignIn(Username: string, Password: string): Promise<{ idToken: string; accessToken: string }> {
  const userPool = new CognitoUserPool({ UserPoolId: ids.userPoolId, ClientId: ids.clientId, endpoint: pool.endpoint });
  const user = new CognitoUser({ Username, Pool: userPool });
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username, Password }), {
      onSuccess: (s: CognitoUserSession) => resolve({ idToken: s.getIdToken().getJwtToken(), accessToken: s.getAccessToken().getJwtToken() }),
      onFailure: (err: Error) => reject(err),
      newPasswordRequired: () => reject(new Error('newPasswordRequired')),
    }),
  );
}

describe('SignUp', () => {
  it('refuses through the pre-sign-up trigger with UserLambdaValidationException, creating nothing', async () => {
    const who = email();
    const err = await error(signUp(who, 'WRONG'));
    expect(err).toEqual({ name: 'UserLambdaValidationException', message: 'PreSignUp failed with error Sign-up needs a valid invitation.' });
    expect(await exists(who)).toBe(false);
    expect(sent.filter((m) => m.to === who)).toEqual([]);
  });

  it('refuses org attributes the app client may not write', async () => {
    const who = email();
    const err = await error(signUp(who, 'GOOD', [{ Name: 'custom:orgId', Value: 'org-x' }]));
    expect(err.name).toBe('NotAuthorizedException');
    expect(await exists(who)).toBe(false);
  });

  it('creates an UNCONFIRMED user with a six-digit code in the outbox and passes Cognito\'s trigger event', async () => {
    const who = email();
    const out = await signUp(who);
    expect(out).toMatchObject({ UserConfirmed: false, UserSub: expect.any(String), CodeDeliveryDetails: { DeliveryMedium: 'EMAIL', AttributeName: 'email' } });
    expect(lastCode(who)).toMatch(/^\d{6}$/);
    expect(preSignUps.at(-1)).toMatchObject({
      triggerSource: 'PreSignUp_SignUp', userPoolId: ids.userPoolId,
      callerContext: { clientId: ids.clientId }, request: { userAttributes: { email: who, name: 'New Person' }, clientMetadata: { invitationCode: 'GOOD' } },
    });
    expect((await sdk.send(new AdminGetUserCommand({ UserPoolId: ids.userPoolId, Username: who }))).UserStatus).toBe('UNCONFIRMED');
    expect((await error(signUp(who))).name).toBe('UsernameExistsException');
    const early = await error(sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: who, PASSWORD } })));
    expect(early.name).toBe('UserNotConfirmedException');
    expect((await error(sdk.send(new SignUpCommand({ ClientId: ids.clientId, Username: email(), Password: 'short', ClientMetadata: { invitationCode: 'GOOD' } })))).name).toBe('InvalidPasswordException');
  });
});

describe('ConfirmSignUp and ResendConfirmationCode', () => {
  it('refuses a wrong code with CodeMismatchException and locks after five with LimitExceededException', async () => {
    const who = email();
    await signUp(who);
    const good = lastCode(who);
    const bad = good === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expect((await error(sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: bad })))).name).toBe('CodeMismatchException');
    }
    const locked = await error(sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: good })));
    expect(locked.name).toBe('LimitExceededException');
    // A new code starts over.
    await sdk.send(new ResendConfirmationCodeCommand({ ClientId: ids.clientId, Username: who }));
    await sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: lastCode(who) }));
    expect((await sdk.send(new AdminGetUserCommand({ UserPoolId: ids.userPoolId, Username: who }))).UserStatus).toBe('CONFIRMED');
  });

  it('confirms with the code, calls post-confirmation with Cognito\'s event, then signs in with SRP and the trigger\'s claims', async () => {
    const who = email();
    const { UserSub } = await signUp(who);
    const first = lastCode(who);
    await sdk.send(new ResendConfirmationCodeCommand({ ClientId: ids.clientId, Username: who }));
    const second = lastCode(who);
    if (first !== second) {
      expect((await error(sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: first })))).name).toBe('CodeMismatchException');
    }
    failConfirmation = true;
    expect((await error(sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: second })))).name).toBe('UserLambdaValidationException');
    failConfirmation = false;
    await sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: second }));
    expect(confirmations.at(-1)).toMatchObject({
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { sub: UserSub, email: who, 'cognito:user_status': 'CONFIRMED' } },
    });
    const again = await error(sdk.send(new ConfirmSignUpCommand({ ClientId: ids.clientId, Username: who, ConfirmationCode: second })));
    expect(again.name).toBe('NotAuthorizedException');
    expect((await error(sdk.send(new ResendConfirmationCodeCommand({ ClientId: ids.clientId, Username: who })))).name).toBe('InvalidParameterException');

    const tokens = await srpSignIn(who, PASSWORD);
    expect(decodeJwt(tokens.idToken)).toMatchObject({ sub: UserSub, 'custom:orgId': 'org-from-invitation', token_use: 'id' });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: UserSub, 'custom:orgId': 'org-from-invitation', token_use: 'access' });

    // The REST authorizer takes ID tokens only; the realtime endpoint (as AppSync) either.
    const verifier = (accept?: 'id-or-access') =>
      createTokenVerifier({ issuer: pool.issuer(ids.userPoolId), clientId: ids.clientId, jwks: pool.jwks(ids.userPoolId), ...(accept ? { accept } : {}) });
    await expect(verifier()(tokens.accessToken)).rejects.toThrow(/token_use/);
    await expect(verifier()(tokens.idToken)).resolves.toMatchObject({ sub: UserSub });
    await expect(verifier('id-or-access')(tokens.accessToken)).resolves.toMatchObject({ sub: UserSub, 'custom:orgId': 'org-from-invitation' });
    const otherClient = createTokenVerifier({ issuer: pool.issuer(ids.userPoolId), clientId: 'another-client', jwks: pool.jwks(ids.userPoolId), accept: 'id-or-access' });
    await expect(otherClient(tokens.accessToken)).rejects.toThrow(/client_id/);
  });

  it('answers an expired code with ExpiredCodeException', async () => {
    const short = await startLocalUserPool({ port: 0, confirmationCodeTtlMs: 1, deliverCode: async (m) => void sent.push(m) });
    try {
      const i = await short.ensurePool('p', 'c');
      const c = new CognitoIdentityProviderClient({ endpoint: short.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
      const who = email();
      await c.send(new SignUpCommand({ ClientId: i.clientId, Username: who, Password: PASSWORD }));
      await new Promise((r) => setTimeout(r, 5));
      expect((await error(c.send(new ConfirmSignUpCommand({ ClientId: i.clientId, Username: who, ConfirmationCode: lastCode(who) })))).name).toBe('ExpiredCodeException');
      c.destroy();
    } finally {
      await short.stop();
    }
  });
});

describe('USER_SRP_AUTH', () => {
  it('signs in an admin-created user with the client library\'s SRP; a wrong password or an unknown user fail alike', async () => {
    const who = email();
    await pool.call('AdminCreateUser', { UserPoolId: ids.userPoolId, Username: who, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: who }] });
    await pool.call('AdminSetUserPassword', { UserPoolId: ids.userPoolId, Username: who, Password: PASSWORD, Permanent: true });
    const tokens = await srpSignIn(who, PASSWORD);
    expect(decodeJwt(tokens.idToken).email).toBe(who);
    const wrong = await srpSignIn(who, 'Wrong-horse-1!').catch((err: Error) => err);
    const unknown = await srpSignIn(email(), PASSWORD).catch((err: Error) => err);
    expect([(wrong as Error & { code?: string }).code ?? (wrong as Error).name, (unknown as Error & { code?: string }).code ?? (unknown as Error).name]).toEqual(['NotAuthorizedException', 'NotAuthorizedException']);
    expect((wrong as Error).message).toBe((unknown as Error).message);
  });

  it('answers PASSWORD_VERIFIER with Cognito\'s challenge parameters, and a replayed secret block fails', async () => {
    const who = email();
    await pool.call('AdminCreateUser', { UserPoolId: ids.userPoolId, Username: who, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: who }] });
    await pool.call('AdminSetUserPassword', { UserPoolId: ids.userPoolId, Username: who, Password: PASSWORD, Permanent: true });
    const out = await sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: who, SRP_A: 'abcdef0123' } }));
    expect(out.ChallengeName).toBe('PASSWORD_VERIFIER');
    expect(Object.keys(out.ChallengeParameters!).sort()).toEqual(['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME', 'USER_ID_FOR_SRP']);
    const zero = await error(sdk.send(new InitiateAuthCommand({ ClientId: ids.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: who, SRP_A: '0' } })));
    expect(zero.name).toBe('InvalidParameterException');
  });
});
