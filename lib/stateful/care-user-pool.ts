import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROLES } from '../../schemas/roles.js';
import type { Stage } from '../config.js';
import { APP_CLIENT, PASSWORD_POLICY, type AppClientSettings, type ClientWritableAttribute, type PasswordPolicy } from '../user-pool-definition.js';

export interface CareUserPoolProps {
  readonly stage: Stage;
  /**
   * Cognito post-authentication trigger (the sign-in audit).
   * @default - no trigger
   */
  readonly postAuthentication?: lambda.IFunction;
  /**
   * Sign-up by invitation (API.md, "Invitations and sign-up"): the pre-sign-up trigger admits only
   * a SignUp with a valid invitation, post-confirmation accepts it, and the pre-token-generation
   * trigger (V2_0: ID and access tokens) carries the org and patient. Self sign-up is enabled only
   * together with these triggers, so it is never open.
   * @default - no self sign-up: admins create every user
   */
  readonly signUp?: {
    readonly preSignUp: lambda.IFunction;
    readonly postConfirmation: lambda.IFunction;
    readonly preTokenGeneration: lambda.IFunction;
  };
}

/**
 * The user pool: email is the user name, roles are groups (schemas/roles.ts), the org and the
 * patient record of a `patient` login are immutable custom attributes, so a token can never be
 * moved to another org or patient. Admins create staff (POST /users); patients and family sign up
 * only with an invitation (the pre-sign-up trigger refuses everything else), and the app client
 * may not write the org or patient attributes: the pre-token-generation trigger puts them in the
 * tokens from the invitation (docs/decisions.md, "Sign-up by invitation").
 */
export class CareUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: CareUserPoolProps) {
    super(scope, id);
    const prod = props.stage === 'prod';

    this.userPool = new cognito.UserPool(this, 'Pool', {
      // Gated: only with the pre-sign-up trigger, which admits invitations and nothing else.
      selfSignUpEnabled: props.signUp !== undefined,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        orgId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        patientId: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
      },
      // The local pool enforces the same policy (lib/user-pool-definition.ts).
      passwordPolicy: cdkPasswordPolicy(PASSWORD_POLICY),
      // Production: TOTP MFA is required, because every role but compliance reads PHI and HIPAA
      // expects strong authentication for it. Dev: optional, so that scripted smoke tests and
      // demo users can sign in with USER_PASSWORD_AUTH without enrolling an authenticator.
      mfa: prod ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: prod
        ? cognito.StandardThreatProtectionMode.FULL_FUNCTION
        : cognito.StandardThreatProtectionMode.AUDIT_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lambdaTriggers: {
        ...(props.postAuthentication ? { postAuthentication: props.postAuthentication } : {}),
        ...(props.signUp ? { preSignUp: props.signUp.preSignUp, postConfirmation: props.signUp.postConfirmation } : {}),
      },
    });
    if (props.signUp) {
      // V2_0 customises the access token too (Essentials/Plus plan; this pool is on Plus): Amplify
      // sends the access token to AppSync, and the subscription resolvers read the org from it.
      this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, props.signUp.preTokenGeneration, cognito.LambdaVersion.V2_0);
    }

    if (!prod) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'Dev only: MFA is OPTIONAL so scripted smoke tests and demo users can sign in with USER_PASSWORD_AUTH; production requires TOTP MFA.',
      });
    }

    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        description: `CareStack role ${role}`,
      });
    }

    this.client = this.userPool.addClient('AppClient', {
      // Flows, attributes, errors and token lifetimes as the local pool's client has them
      // (lib/user-pool-definition.ts).
      ...cdkAppClient(APP_CLIENT),
      // No hosted UI: clients sign in through the Cognito API.
      disableOAuth: true,
    });
  }
}

function cdkPasswordPolicy(policy: PasswordPolicy): cognito.PasswordPolicy {
  return {
    minLength: policy.minimumLength,
    requireLowercase: policy.requireLowercase,
    requireUppercase: policy.requireUppercase,
    requireDigits: policy.requireNumbers,
    requireSymbols: policy.requireSymbols,
    tempPasswordValidity: Duration.days(policy.temporaryPasswordValidityDays),
    passwordHistorySize: policy.passwordHistorySize,
  };
}

/** CDK's name for each standard attribute the client may write. */
const STANDARD_ATTRIBUTE: Record<ClientWritableAttribute, keyof cognito.StandardAttributesMask> = {
  email: 'email',
  name: 'fullname',
  phone_number: 'phoneNumber',
};

/** CDK's flag for each `ALLOW_*` flow; ALLOW_REFRESH_TOKEN_AUTH has none, CDK always adds it. */
const AUTH_FLOW: Record<string, keyof cognito.AuthFlow> = {
  ALLOW_USER_PASSWORD_AUTH: 'userPassword',
  ALLOW_USER_SRP_AUTH: 'userSrp',
  ALLOW_ADMIN_USER_PASSWORD_AUTH: 'adminUserPassword',
  ALLOW_CUSTOM_AUTH: 'custom',
  ALLOW_USER_AUTH: 'user',
};

function cdkAppClient(client: AppClientSettings): cognito.UserPoolClientOptions {
  if (!client.explicitAuthFlows.includes('ALLOW_REFRESH_TOKEN_AUTH')) {
    throw new Error(`The app client's flows must list ALLOW_REFRESH_TOKEN_AUTH (CDK adds it whenever flows are set); got ${client.explicitAuthFlows.join(', ')}`);
  }
  const authFlows: { -readonly [K in keyof cognito.AuthFlow]: boolean } = {};
  for (const flow of client.explicitAuthFlows.filter((f) => f !== 'ALLOW_REFRESH_TOKEN_AUTH')) {
    const key = AUTH_FLOW[flow];
    if (!key) throw new Error(`Unknown app client auth flow: ${flow}`);
    authFlows[key] = true;
  }
  return {
    generateSecret: client.generateSecret,
    authFlows,
    writeAttributes: new cognito.ClientAttributes().withStandardAttributes(
      Object.fromEntries(client.writeAttributes.map((name) => [STANDARD_ATTRIBUTE[name], true])),
    ),
    preventUserExistenceErrors: client.preventUserExistenceErrors,
    enableTokenRevocation: client.enableTokenRevocation,
    accessTokenValidity: Duration.minutes(client.accessTokenValidityMinutes),
    idTokenValidity: Duration.minutes(client.idTokenValidityMinutes),
    refreshTokenValidity: Duration.days(client.refreshTokenValidityDays),
  };
}
