/**
 * Sign-up by invitation as a client does it, with the AWS SDK's CognitoIdentityProviderClient
 * against `npm start`'s pool: staff invite, the invitee signs up with the code (ClientMetadata),
 * confirms with the six-digit code from the outbox, signs in and sees the patient. Every bad
 * sign-up is refused in Cognito's error shape and changes nothing.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

const PASSWORD = 'Invited-person-1!';
let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let cognito: CognitoIdentityProviderClient;
const tokens: Record<string, string> = {};
let margaret: string;

beforeAll(async () => {
  stack = await startTestStack('e2e-sign-up');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  cognito = new CognitoIdentityProviderClient({ endpoint: stack.outputs.CognitoEndpoint, region: stack.outputs.Region, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});

afterAll(async () => {
  cognito?.destroy();
  await stopTestStack(stack);
});

const outbox = async (to: string) => (await api(tokens.admin, 'GET', `/_local/outbox?to=${encodeURIComponent(to)}`)).body.items as Array<{ text: string; subject?: string }>;
const signUp = (email: string, code: string | undefined, attributes: Array<{ Name: string; Value: string }> = []) =>
  cognito.send(
    new SignUpCommand({
      ClientId: stack.outputs.UserPoolClientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }, { Name: 'name', Value: 'Invited Person' }, ...attributes],
      ...(code !== undefined ? { ClientMetadata: { invitationCode: code } } : {}),
    }),
  );
/**
 * The sign-up confirmation code from the outbox. The invitation email reaches the outbox on its own
 * time (stream -> bus -> delivery function), so it may land after the confirmation: pick by subject.
 */
const confirmationCode = (email: string) =>
  eventually(async () => {
    const m = (await outbox(email)).filter((x) => x.subject !== 'Your CareStack invitation').at(-1);
    return m ? /\b(\d{6})\b/.exec(m.text)![1]! : undefined;
  });
const failure = (p: Promise<unknown>) => p.then(() => 'succeeded', (err: Error) => err.name);
const userExists = (email: string) =>
  cognito.send(new AdminGetUserCommand({ UserPoolId: stack.outputs.UserPoolId, Username: email })).then(() => true, () => false);

describe('sign-up by invitation', () => {
  it('signs a family member up: invitation email, SignUp, ConfirmSignUp with the outbox code, InitiateAuth, sees the patient', async () => {
    const email = `daughter-${Date.now()}@example.org`;
    const invited = await api(tokens.coordinator, 'POST', '/invitations', { email, role: 'family', patientId: margaret });
    expect(invited.status).toBe(201);
    // Sent by the delivery function from the invitation's email request (stream -> bus -> delivery).
    const mail = await eventually(async () => (await outbox(email))[0]);
    expect(mail.text).toContain(invited.body.code);

    const out = await signUp(email, invited.body.code);
    expect(out.UserConfirmed).toBe(false);
    const code = await confirmationCode(email);
    await cognito.send(new ConfirmSignUpCommand({ ClientId: stack.outputs.UserPoolClientId, Username: email, ConfirmationCode: code }));

    const auth = await cognito.send(
      new InitiateAuthCommand({ ClientId: stack.outputs.UserPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
    );
    const idToken = auth.AuthenticationResult!.IdToken!;
    const me = await api(idToken, 'GET', '/me');
    expect(me.body).toMatchObject({ userId: out.UserSub, orgId: stack.demoUsers!.orgId, roles: ['family'], email });
    const patients = await api(idToken, 'GET', '/patients');
    expect(patients.body.items.map((p: { id: string }) => p.id)).toEqual([margaret]);
    expect((await api(idToken, 'GET', `/patients/${margaret}`)).status).toBe(200);
    const team = await api(tokens.coordinator, 'GET', `/patients/${margaret}/care-team`);
    expect(team.body.items).toContainEqual(expect.objectContaining({ userId: out.UserSub, relationship: 'family' }));
    const accepted = await api(tokens.admin, 'GET', '/invitations?status=accepted');
    expect(accepted.body.items).toContainEqual(expect.objectContaining({ invitationId: invited.body.invitationId, userId: out.UserSub }));

    // The code is used: nobody else gets in with it.
    expect(await failure(signUp(`other-${Date.now()}@example.org`, invited.body.code))).toBe('UserLambdaValidationException');
  });

  it('signs a patient up: linked to their own record, which is all they see', async () => {
    const created = await api(tokens.coordinator, 'POST', '/patients', { displayName: 'New Patient', medicalRecordNumber: `NP-${Date.now()}` });
    const patientId = created.body.id as string;
    const email = `patient-${Date.now()}@example.org`;
    const invited = await api(tokens.admin, 'POST', '/invitations', { email, role: 'patient', patientId });
    expect(invited.status).toBe(201);
    const out = await signUp(email, invited.body.code);
    const code = await confirmationCode(email);
    await cognito.send(new ConfirmSignUpCommand({ ClientId: stack.outputs.UserPoolClientId, Username: email, ConfirmationCode: code }));
    const auth = await cognito.send(
      new InitiateAuthCommand({ ClientId: stack.outputs.UserPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } }),
    );
    const idToken = auth.AuthenticationResult!.IdToken!;
    expect((await api(idToken, 'GET', '/me')).body).toMatchObject({ userId: out.UserSub, roles: ['patient'], patientId });
    expect((await api(idToken, 'GET', '/patients')).body.items.map((p: { id: string }) => p.id)).toEqual([patientId]);
    expect((await api(idToken, 'GET', `/patients/${margaret}`)).status).toBe(404);
    expect((await api(tokens.admin, 'GET', `/patients/${patientId}`)).body.userId).toBe(out.UserSub);
    // A second patient invitation for a record with a login is refused.
    expect((await api(tokens.admin, 'POST', '/invitations', { email: `again-${email}`, role: 'patient', patientId })).status).toBe(409);
  });

  it('refuses a sign-up without a code, with a wrong, revoked or used code, for another email, or carrying an org: nothing created', async () => {
    const email = `refused-${Date.now()}@example.org`;
    const invited = await api(tokens.admin, 'POST', '/invitations', { email, role: 'family', patientId: margaret });
    const teamBefore = (await api(tokens.admin, 'GET', `/patients/${margaret}/care-team`)).body.items.length;
    expect(await failure(signUp(email, undefined))).toBe('UserLambdaValidationException');
    expect(await failure(signUp(email, 'NOTTHECODE00'))).toBe('UserLambdaValidationException');
    expect(await failure(signUp(`intruder-${Date.now()}@example.org`, invited.body.code))).toBe('UserLambdaValidationException');
    expect(await failure(signUp(email, invited.body.code, [{ Name: 'custom:orgId', Value: stack.demoUsers!.otherOrg.orgId }]))).toBe('NotAuthorizedException');
    const revoked = await api(tokens.admin, 'DELETE', `/invitations/${invited.body.invitationId}`);
    expect(revoked.status).toBe(204);
    expect(await failure(signUp(email, invited.body.code))).toBe('UserLambdaValidationException');
    expect(await userExists(email)).toBe(false);
    expect((await api(tokens.admin, 'GET', `/patients/${margaret}/care-team`)).body.items.length).toBe(teamBefore);
    const listed = await api(tokens.admin, 'GET', '/invitations?status=revoked');
    expect(listed.body.items).toContainEqual(expect.objectContaining({ invitationId: invited.body.invitationId, status: 'revoked' }));
  });

  it('hides invitations from another org and lets only staff invite', async () => {
    const invited = await api(tokens.admin, 'POST', '/invitations', { email: `x-${Date.now()}@example.org`, role: 'family', patientId: margaret });
    expect((await api(tokens['admin@other'], 'DELETE', `/invitations/${invited.body.invitationId}`)).status).toBe(404);
    expect((await api(tokens.family, 'POST', '/invitations', { email: 'y@example.org', role: 'family', patientId: margaret })).status).toBe(403);
  });
});
