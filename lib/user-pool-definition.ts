/**
 * The user pool's password policy and its app client's behaviour, described once as plain data.
 *
 * The CDK user pool (lib/stateful/care-user-pool.ts) and the local user pool (local/cognito/) are
 * both built from these objects, so a password the deployed pool refuses is refused locally too,
 * and tokens live as long in both. Written in Cognito's own vocabulary (API attribute names,
 * `ALLOW_*` flows, minutes and days as the API counts them), because that is what the local pool
 * speaks; the construct translates it to CDK props. It imports nothing from aws-cdk-lib on purpose:
 * the local stack loads it without the CDK (as lib/table-definition.ts).
 *
 * Settings that change only the deployment (MFA, threat protection, tier, deletion protection,
 * triggers, groups) stay in the construct.
 */

/** Cognito's PasswordPolicyType: what the pool checks on every password that is set. */
export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireLowercase: boolean;
  readonly requireUppercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
  /** How long an administrator-issued temporary password may be used for the first sign-in. */
  readonly temporaryPasswordValidityDays: number;
  /** Previous passwords a user may not set again; 0: not enforced. */
  readonly passwordHistorySize: number;
}

/** Standard attributes an app client may write (Cognito's names). */
export type ClientWritableAttribute = 'email' | 'name' | 'phone_number';

/** The app client's settings that decide what a client sees: flows, tokens, attributes, errors. */
export interface AppClientSettings {
  /** A public client (browser, mobile) has none, so no call needs a SECRET_HASH. */
  readonly generateSecret: boolean;
  /** `ALLOW_*` sign-in flows; ALLOW_REFRESH_TOKEN_AUTH must be among them (CDK always adds it). */
  readonly explicitAuthFlows: readonly string[];
  /** Attributes the client may write at SignUp; read attributes are not limited (all). */
  readonly writeAttributes: readonly ClientWritableAttribute[];
  /** An unknown user answers exactly like a wrong password or a wrong code. */
  readonly preventUserExistenceErrors: boolean;
  readonly enableTokenRevocation: boolean;
  readonly accessTokenValidityMinutes: number;
  readonly idTokenValidityMinutes: number;
  readonly refreshTokenValidityDays: number;
}

/** The CareStack pool's password policy. */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
  // Needs the Essentials tier or higher; this pool is on Plus.
  passwordHistorySize: 5,
} as const satisfies PasswordPolicy;

/** The CareStack app client. */
export const APP_CLIENT = {
  generateSecret: false,
  explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  // What a person may say about themself; never custom:orgId/patientId (Cognito refuses a SignUp
  // or UpdateUserAttributes that carries them): the invitation decides them.
  writeAttributes: ['email', 'name', 'phone_number'],
  preventUserExistenceErrors: true,
  enableTokenRevocation: true,
  accessTokenValidityMinutes: 60,
  idTokenValidityMinutes: 60,
  refreshTokenValidityDays: 30,
} as const satisfies AppClientSettings;

/** CreateUserPool / UpdateUserPool input for the password policy (Cognito's JSON API). */
export function passwordPolicyInput(policy: PasswordPolicy = PASSWORD_POLICY): { Policies: { PasswordPolicy: Record<string, number | boolean> } } {
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: policy.minimumLength,
        RequireLowercase: policy.requireLowercase,
        RequireUppercase: policy.requireUppercase,
        RequireNumbers: policy.requireNumbers,
        RequireSymbols: policy.requireSymbols,
        TemporaryPasswordValidityDays: policy.temporaryPasswordValidityDays,
        PasswordHistorySize: policy.passwordHistorySize,
      },
    },
  };
}

/** CreateUserPoolClient / UpdateUserPoolClient input for the app client (Cognito's JSON API). */
export function appClientInput(client: AppClientSettings = APP_CLIENT): Record<string, unknown> {
  return {
    GenerateSecret: client.generateSecret,
    ExplicitAuthFlows: [...client.explicitAuthFlows],
    WriteAttributes: [...client.writeAttributes],
    PreventUserExistenceErrors: client.preventUserExistenceErrors ? 'ENABLED' : 'LEGACY',
    EnableTokenRevocation: client.enableTokenRevocation,
    AccessTokenValidity: client.accessTokenValidityMinutes,
    IdTokenValidity: client.idTokenValidityMinutes,
    RefreshTokenValidity: client.refreshTokenValidityDays * 24 * 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
  };
}
