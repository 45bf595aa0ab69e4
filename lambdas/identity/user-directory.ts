import { randomBytes } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConflictError } from '../shared/errors.js';

export type { NewLogin, UserDirectory } from '../shared/ports/user-directory.js';
import type { NewLogin, UserDirectory } from '../shared/ports/user-directory.js';

export interface CognitoDirectoryOptions {
  userPoolId: string;
  /**
   * Local stack only: set a permanent password at once and return it, so a new user can sign in
   * immediately. On AWS, Cognito emails a temporary password instead.
   * @default false
   */
  issuePasswords?: boolean;
}

/** Cognito admin API: the user, their org (immutable `custom:orgId`) and their role (a group). */
export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly options: CognitoDirectoryOptions,
  ) {}

  async createLogin(login: NewLogin): Promise<{ userId: string; password?: string }> {
    const { userPoolId, issuePasswords = false } = this.options;
    let userId: string | undefined;
    try {
      const out = await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: login.email,
          UserAttributes: [
            { Name: 'email', Value: login.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: login.displayName },
            { Name: 'custom:orgId', Value: login.orgId },
            ...(login.patientId ? [{ Name: 'custom:patientId', Value: login.patientId }] : []),
          ],
          ...(issuePasswords ? { MessageAction: 'SUPPRESS' as const } : { DesiredDeliveryMediums: ['EMAIL' as const] }),
        }),
      );
      userId = out.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (err) {
      if (err instanceof Error && err.name === 'UsernameExistsException') {
        throw new ConflictError('A user with this email already exists');
      }
      throw err;
    }
    if (!userId) throw new Error('Cognito returned no sub for the new user');
    try {
      await this.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: login.email, GroupName: login.role }));
      if (!issuePasswords) return { userId };
      const password = generatePassword();
      await this.cognito.send(
        new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: login.email, Password: password, Permanent: true }),
      );
      return { userId, password };
    } catch (err) {
      await this.deleteLogin(login.email).catch(() => undefined);
      throw err;
    }
  }

  async deleteLogin(email: string): Promise<void> {
    await this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.options.userPoolId, Username: email }));
  }
}

/** 20 characters with every class the pool's password policy asks for. */
export function generatePassword(): string {
  const body = randomBytes(15).toString('base64url');
  return `Cs${body}7!`;
}
