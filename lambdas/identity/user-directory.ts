import { randomBytes } from 'node:crypto';
import type { CognitoAdminApi } from '../shared/aws/cognito-admin.js';
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

type AttributeType = { Name: string; Value?: string };

/** Cognito admin API: the user, their org (immutable `custom:orgId`) and their role (a group). */
export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly cognito: CognitoAdminApi,
    private readonly options: CognitoDirectoryOptions,
  ) {}

  async createLogin(login: NewLogin): Promise<{ userId: string; password?: string }> {
    const { userPoolId, issuePasswords = false } = this.options;
    let userId: string | undefined;
    try {
      const out = await this.cognito.call<{ User?: { Attributes?: AttributeType[] } }>('AdminCreateUser', {
        UserPoolId: userPoolId,
        Username: login.email,
        UserAttributes: [
          { Name: 'email', Value: login.email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: login.displayName },
          { Name: 'custom:orgId', Value: login.orgId },
          ...(login.patientId ? [{ Name: 'custom:patientId', Value: login.patientId }] : []),
        ],
        ...(issuePasswords ? { MessageAction: 'SUPPRESS' } : { DesiredDeliveryMediums: ['EMAIL'] }),
      });
      userId = out.User?.Attributes?.find((a) => a.Name === 'sub')?.Value;
    } catch (err) {
      if (err instanceof Error && err.name === 'UsernameExistsException') {
        throw new ConflictError('A user with this email already exists');
      }
      throw err;
    }
    if (!userId) throw new Error('Cognito returned no sub for the new user');
    try {
      await this.cognito.call('AdminAddUserToGroup', { UserPoolId: userPoolId, Username: login.email, GroupName: login.role });
      if (!issuePasswords) return { userId };
      const password = generatePassword();
      await this.cognito.call('AdminSetUserPassword', { UserPoolId: userPoolId, Username: login.email, Password: password, Permanent: true });
      return { userId, password };
    } catch (err) {
      await this.deleteLogin(login.email).catch(() => undefined);
      throw err;
    }
  }

  async deleteLogin(email: string): Promise<void> {
    await this.cognito.call('AdminDeleteUser', { UserPoolId: this.options.userPoolId, Username: email });
  }
}

/** 20 characters with every class the pool's password policy asks for. */
export function generatePassword(): string {
  const body = randomBytes(15).toString('base64url');
  return `Cs${body}7!`;
}
