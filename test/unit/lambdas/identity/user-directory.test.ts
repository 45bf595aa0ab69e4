import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory, generatePassword, type NewLogin } from '../../../../lambdas/identity/user-directory.js';
import { CognitoAdminApi } from '../../../../lambdas/shared/aws/cognito-admin.js';
import { ConflictError } from '../../../../lambdas/shared/errors.js';
import { startLocalUserPool, type LocalUserPool } from '../../../../local/cognito/index.js';
import { awsError, useAwsEndpoint, type Answer, type SeenRequest } from '../../../support/aws-endpoint.js';

/**
 * CognitoUserDirectory sends Cognito's awsJson1.1 admin requests itself (signed, with fetch). Each
 * request is compared with the one `@aws-sdk/client-cognito-identity-provider` sends for the same
 * input, both to a local endpoint that checks SigV4 independently and answers as Cognito does;
 * then the directory runs against the local user pool the local stack uses.
 */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const login: NewLogin = { email: 'pat@example.test', displayName: 'Pat', orgId: 'org-1', role: 'patient', patientId: 'p1' };
const created = { User: { Username: 'pat@example.test', Attributes: [{ Name: 'sub', Value: 'sub-123' }], UserCreateDate: 1767225600 } };

/** Per operation, what the endpoint answers (default: Cognito's success). */
let answers: Record<string, (req: SeenRequest) => Answer>;
const op = (r: SeenRequest) => String(r.headers['x-amz-target']).split('.')[1]!;

const endpoint = useAwsEndpoint(credentials.secretAccessKey, {
  doubleEscapePath: true,
  responder: (r) => answers[op(r)]?.(r) ?? { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: op(r) === 'AdminCreateUser' ? created : {} },
});
beforeEach(() => {
  answers = {};
});

const api = () => new CognitoAdminApi({ region: 'us-east-1', credentials, endpoint: endpoint.url, retryBaseMs: 1 });
const directory = (issuePasswords = false) => new CognitoUserDirectory(api(), { userPoolId: 'pool-1', issuePasswords });
const sdk = () => new CognitoIdentityProviderClient({ region: 'us-east-1', credentials, endpoint: endpoint.url, maxAttempts: 1 });
const calls = () => endpoint.seen.map(op);
const input = (name: string) => JSON.parse(endpoint.seen.find((r) => op(r) === name)!.body) as Record<string, unknown>;

/** The request as compared: method, path, query, parsed body, content type and target. */
const wire = (r: SeenRequest) => ({
  method: r.method,
  path: r.path,
  query: r.query,
  body: JSON.parse(r.body) as unknown,
  contentType: r.headers['content-type'],
  target: r.headers['x-amz-target'],
  valid: r.valid,
  service: r.service,
});

describe('on the wire: the requests the SDK client sends for the same input', () => {
  const attributes = [
    { Name: 'email', Value: 'pat@example.test' },
    { Name: 'email_verified', Value: 'true' },
    { Name: 'name', Value: 'Pat' },
    { Name: 'custom:orgId', Value: 'org-1' },
    { Name: 'custom:patientId', Value: 'p1' },
  ];

  /** Each of ours (in order) against the SDK's request for `commands`. */
  async function expectSameAsSdk(ours: SeenRequest[], sends: Array<(c: CognitoIdentityProviderClient) => Promise<unknown>>) {
    expect(ours.map((r) => r.valid)).toEqual(ours.map(() => true));
    const client = sdk();
    for (const [i, send] of sends.entries()) {
      await send(client);
      expect(wire(ours[i]!), String(ours[i]!.headers['x-amz-target'])).toEqual(wire(endpoint.seen.at(-1)!));
    }
  }

  it('AdminCreateUser (emailed invitation) and AdminAddUserToGroup', async () => {
    await directory().createLogin(login);
    const ours = [...endpoint.seen];
    expect(ours.map(op)).toEqual(['AdminCreateUser', 'AdminAddUserToGroup']);
    await expectSameAsSdk(ours, [
      (c) => c.send(new AdminCreateUserCommand({ UserPoolId: 'pool-1', Username: 'pat@example.test', UserAttributes: attributes, DesiredDeliveryMediums: ['EMAIL'] })),
      (c) => c.send(new AdminAddUserToGroupCommand({ UserPoolId: 'pool-1', Username: 'pat@example.test', GroupName: 'patient' })),
    ]);
    expect(wire(ours[0]!)).toMatchObject({ method: 'POST', path: '/', contentType: 'application/x-amz-json-1.1', target: 'AWSCognitoIdentityProviderService.AdminCreateUser', service: 'cognito-idp' });
  });

  it('AdminCreateUser (issued password, no email) and AdminSetUserPassword', async () => {
    const { password } = await directory(true).createLogin(login);
    const ours = [...endpoint.seen];
    expect(ours.map(op)).toEqual(['AdminCreateUser', 'AdminAddUserToGroup', 'AdminSetUserPassword']);
    await expectSameAsSdk(ours, [
      (c) => c.send(new AdminCreateUserCommand({ UserPoolId: 'pool-1', Username: 'pat@example.test', UserAttributes: attributes, MessageAction: 'SUPPRESS' })),
      (c) => c.send(new AdminAddUserToGroupCommand({ UserPoolId: 'pool-1', Username: 'pat@example.test', GroupName: 'patient' })),
      (c) => c.send(new AdminSetUserPasswordCommand({ UserPoolId: 'pool-1', Username: 'pat@example.test', Password: password, Permanent: true })),
    ]);
  });

  it('AdminDeleteUser', async () => {
    await directory().deleteLogin('x@example.test');
    await expectSameAsSdk([endpoint.seen[0]!], [(c) => c.send(new AdminDeleteUserCommand({ UserPoolId: 'pool-1', Username: 'x@example.test' }))]);
  });
});

describe('CognitoUserDirectory against an endpoint that answers as Cognito does', () => {
  it("creates the user with its org, name and patient link, and adds it to its role's group", async () => {
    expect(await directory().createLogin(login)).toEqual({ userId: 'sub-123' });
    expect(calls()).toEqual(['AdminCreateUser', 'AdminAddUserToGroup']);
    expect(input('AdminAddUserToGroup')).toEqual({ UserPoolId: 'pool-1', Username: 'pat@example.test', GroupName: 'patient' });
  });

  it('sends no patient link for other roles', async () => {
    const { patientId: _p, ...aide } = login;
    await directory().createLogin({ ...aide, role: 'aide' });
    expect((input('AdminCreateUser').UserAttributes as { Name: string }[]).map((a) => a.Name)).not.toContain('custom:patientId');
    expect(input('AdminAddUserToGroup')).toMatchObject({ GroupName: 'aide' });
  });

  it('with issuePasswords, sets a permanent password it returns', async () => {
    const out = await directory(true).createLogin(login);
    expect(out.password).toEqual(expect.any(String));
    expect(input('AdminSetUserPassword')).toEqual({ UserPoolId: 'pool-1', Username: 'pat@example.test', Password: out.password, Permanent: true });
  });

  it('turns UsernameExistsException into a 409 ConflictError and creates nothing else', async () => {
    answers.AdminCreateUser = () => awsError(400, 'UsernameExistsException', 'User account already exists');
    const err = await directory().createLogin(login).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'conflict' });
    expect(calls()).toEqual(['AdminCreateUser']);
  });

  it('reads the error name from the body when there is no x-amzn-errortype header', async () => {
    answers.AdminCreateUser = () => ({ status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: { __type: 'com.amazonaws.cognito#UsernameExistsException', message: 'exists' } });
    await expect(directory().createLogin(login)).rejects.toBeInstanceOf(ConflictError);
  });

  it('passes other Cognito errors through with their name, message and status', async () => {
    answers.AdminCreateUser = () => awsError(400, 'InvalidParameterException', 'Invalid email address format.');
    await expect(directory().createLogin(login)).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid email address format.', $metadata: { httpStatusCode: 400 } });
    expect(calls()).toEqual(['AdminCreateUser']);
  });

  it('retries a 500 and a throttled call (TooManyRequestsException), as the SDK would', async () => {
    let n = 0;
    answers.AdminCreateUser = () => (++n === 1 ? awsError(500, 'InternalErrorException', 'oops') : n === 2 ? awsError(400, 'TooManyRequestsException', 'Rate exceeded') : { status: 200, body: created });
    expect(await directory().createLogin(login)).toEqual({ userId: 'sub-123' });
    expect(calls()).toEqual(['AdminCreateUser', 'AdminCreateUser', 'AdminCreateUser', 'AdminAddUserToGroup']);
  });

  it('deletes the half-made user when adding it to its group fails, and rethrows', async () => {
    answers.AdminAddUserToGroup = () => awsError(400, 'ResourceNotFoundException', 'Group not found.');
    await expect(directory().createLogin(login)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls()).toEqual(['AdminCreateUser', 'AdminAddUserToGroup', 'AdminDeleteUser']);
    expect(input('AdminDeleteUser')).toEqual({ UserPoolId: 'pool-1', Username: 'pat@example.test' });
  });

  it('deletes the user when setting its password fails, even if the delete fails too', async () => {
    answers.AdminSetUserPassword = () => awsError(400, 'InvalidPasswordException', 'Password does not conform to policy');
    answers.AdminDeleteUser = () => awsError(400, 'NotAuthorizedException', 'also refused');
    await expect(directory(true).createLogin(login)).rejects.toMatchObject({ name: 'InvalidPasswordException' });
    expect(calls().filter((c) => c === 'AdminDeleteUser')).toHaveLength(1);
  });

  it('fails when Cognito answers without a sub', async () => {
    answers.AdminCreateUser = () => ({ status: 200, body: { User: { Attributes: [] } } });
    await expect(directory().createLogin(login)).rejects.toThrow(/no sub/);
  });

  it('is refused (403) with the wrong secret', async () => {
    const wrong = new CognitoAdminApi({ region: 'us-east-1', credentials: { ...credentials, secretAccessKey: 'other' }, endpoint: endpoint.url });
    await expect(new CognitoUserDirectory(wrong, { userPoolId: 'pool-1' }).deleteLogin('x@example.test')).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
  });
});

describe('CognitoUserDirectory against the local user pool (the local stack wires it so)', () => {
  let pool: LocalUserPool;
  let userPoolId: string;
  beforeAll(async () => {
    pool = await startLocalUserPool({ port: 0 });
    ({ userPoolId } = await pool.ensurePool('carestack', 'carestack-app'));
    await pool.call('CreateGroup', { UserPoolId: userPoolId, GroupName: 'patient' });
  });
  afterAll(() => pool.stop());
  const local = () => new CognitoUserDirectory(new CognitoAdminApi({ region: pool.region, credentials, endpoint: pool.endpoint }), { userPoolId, issuePasswords: true });

  it('creates the login with its attributes and group, refuses the same email again, and deletes it', async () => {
    const out = await local().createLogin(login);
    const user = await pool.call('AdminGetUser', { UserPoolId: userPoolId, Username: login.email });
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'sub', Value: out.userId }, { Name: 'custom:orgId', Value: 'org-1' }, { Name: 'custom:patientId', Value: 'p1' }]));
    expect(user.UserStatus).toBe('CONFIRMED');
    const groups = await pool.call('AdminListGroupsForUser', { UserPoolId: userPoolId, Username: login.email });
    expect((groups.Groups as { GroupName: string }[]).map((g) => g.GroupName)).toEqual(['patient']);
    await expect(local().createLogin(login)).rejects.toBeInstanceOf(ConflictError);
    await local().deleteLogin(login.email);
    await expect(pool.call('AdminGetUser', { UserPoolId: userPoolId, Username: login.email })).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });
});

describe('generatePassword', () => {
  it('meets a strict pool policy (length, upper, lower, digit, symbol) and differs each time', () => {
    const a = generatePassword();
    expect(a.length).toBeGreaterThanOrEqual(20);
    expect(a).toMatch(/[A-Z]/);
    expect(a).toMatch(/[a-z]/);
    expect(a).toMatch(/[0-9]/);
    expect(a).toMatch(/[^A-Za-z0-9]/);
    expect(generatePassword()).not.toBe(a);
  });
});
