import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CognitoUserDirectory, generatePassword, type NewLogin } from '../../../../lambdas/identity/user-directory.js';
import { ConflictError } from '../../../../lambdas/shared/errors.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const login: NewLogin = { email: 'pat@example.test', displayName: 'Pat', orgId: 'org-1', role: 'patient', patientId: 'p1' };
const created = { User: { Username: 'pat@example.test', Attributes: [{ Name: 'sub', Value: 'sub-123' }] } };

beforeEach(() => {
  cognito.reset();
  cognito.on(AdminCreateUserCommand).resolves(created);
  cognito.on(AdminAddUserToGroupCommand).resolves({});
  cognito.on(AdminSetUserPasswordCommand).resolves({});
  cognito.on(AdminDeleteUserCommand).resolves({});
});
afterAll(() => cognito.restore());

describe('CognitoUserDirectory.createLogin', () => {
  it('creates the user with its org, name and patient link, and adds it to its role\'s group', async () => {
    const directory = new CognitoUserDirectory(client, { userPoolId: 'pool-1' });

    const out = await directory.createLogin(login);

    expect(out).toEqual({ userId: 'sub-123' });
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, {
      UserPoolId: 'pool-1',
      Username: 'pat@example.test',
      DesiredDeliveryMediums: ['EMAIL'],
    });
    const attrs = cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input.UserAttributes;
    expect(attrs).toEqual(
      expect.arrayContaining([
        { Name: 'email', Value: 'pat@example.test' },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Pat' },
        { Name: 'custom:orgId', Value: 'org-1' },
        { Name: 'custom:patientId', Value: 'p1' },
      ]),
    );
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { UserPoolId: 'pool-1', Username: 'pat@example.test', GroupName: 'patient' });
    expect(cognito).not.toHaveReceivedCommand(AdminSetUserPasswordCommand);
    expect(cognito).not.toHaveReceivedCommand(AdminDeleteUserCommand);
  });

  it('sends no patient link for other roles', async () => {
    const { patientId: _p, ...aide } = login;
    await new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).createLogin({ ...aide, role: 'aide' });
    const names = cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input.UserAttributes!.map((a) => a.Name);
    expect(names).not.toContain('custom:patientId');
    expect(cognito).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { GroupName: 'aide' });
  });

  it('with issuePasswords, suppresses the email and sets a permanent password it returns', async () => {
    const directory = new CognitoUserDirectory(client, { userPoolId: 'pool-1', issuePasswords: true });

    const out = await directory.createLogin(login);

    expect(out.userId).toBe('sub-123');
    expect(out.password).toEqual(expect.any(String));
    expect(cognito).toHaveReceivedCommandWith(AdminCreateUserCommand, { MessageAction: 'SUPPRESS' });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]!.args[0].input).not.toHaveProperty('DesiredDeliveryMediums');
    expect(cognito).toHaveReceivedCommandWith(AdminSetUserPasswordCommand, {
      UserPoolId: 'pool-1',
      Username: 'pat@example.test',
      Password: out.password,
      Permanent: true,
    });
  });

  it('turns UsernameExistsException into a 409 ConflictError and creates nothing else', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'User account already exists', $metadata: {} }));
    const err = await new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).createLogin(login).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'conflict' });
    expect(cognito).not.toHaveReceivedCommand(AdminAddUserToGroupCommand);
    expect(cognito).not.toHaveReceivedCommand(AdminDeleteUserCommand);
  });

  it('passes other Cognito errors through', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    cognito.on(AdminCreateUserCommand).rejects(throttled);
    await expect(new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).createLogin(login)).rejects.toBe(throttled);
  });

  it('deletes the half-made user when adding it to its group fails, and rethrows', async () => {
    const boom = new Error('group missing');
    cognito.on(AdminAddUserToGroupCommand).rejects(boom);
    await expect(new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).createLogin(login)).rejects.toBe(boom);
    expect(cognito).toHaveReceivedCommandExactlyOnceWith(AdminDeleteUserCommand, { UserPoolId: 'pool-1', Username: 'pat@example.test' });
  });

  it('deletes the user when setting its password fails, even if the delete fails too', async () => {
    const boom = new Error('InvalidPasswordException');
    cognito.on(AdminSetUserPasswordCommand).rejects(boom);
    cognito.on(AdminDeleteUserCommand).rejects(new Error('also down'));
    await expect(new CognitoUserDirectory(client, { userPoolId: 'pool-1', issuePasswords: true }).createLogin(login)).rejects.toBe(boom);
    expect(cognito).toHaveReceivedCommandTimes(AdminDeleteUserCommand, 1);
  });

  it('fails when Cognito answers without a sub', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: { Attributes: [] } });
    await expect(new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).createLogin(login)).rejects.toThrow(/no sub/);
  });
});

describe('deleteLogin', () => {
  it('deletes by email in the pool', async () => {
    await new CognitoUserDirectory(client, { userPoolId: 'pool-1' }).deleteLogin('x@example.test');
    expect(cognito).toHaveReceivedCommandWith(AdminDeleteUserCommand, { UserPoolId: 'pool-1', Username: 'x@example.test' });
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
