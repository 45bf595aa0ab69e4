import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROLES } from '../../schemas/roles.js';
import type { Stage } from '../config.js';

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
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 5,
      },
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
      generateSecret: false,
      // ALLOW_REFRESH_TOKEN_AUTH is always added by CDK when auth flows are set.
      authFlows: { userPassword: true, userSrp: true },
      // The client writes what a person may say about themself; never custom:orgId/patientId
      // (Cognito refuses a SignUp or UpdateUserAttributes that carries them).
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true, fullname: true, phoneNumber: true }),
      // No hosted UI: clients sign in through the Cognito API.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
  }
}
