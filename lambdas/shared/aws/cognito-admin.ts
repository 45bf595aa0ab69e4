import { AwsJsonService, type SignedRequesterOptions } from './signed-request.js';

/** Cognito Identity Provider's service id (for `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`) and endpoint prefix. */
export const COGNITO_SERVICE = { id: 'COGNITO_IDENTITY_PROVIDER', endpointPrefix: 'cognito-idp' } as const;
const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';

/**
 * Cognito Identity Provider's awsJson1.1 API as signed requests (lambdas/shared/aws/signed-request.ts):
 * the admin calls the identity function (and the post-confirmation trigger) make, in place of
 * `@aws-sdk/client-cognito-identity-provider` (34 KB of its bundle, issue 25). The requests are the
 * SDK client's for the same input (test/unit/lambdas/identity/user-directory.test.ts).
 */
export class CognitoAdminApi {
  readonly service: AwsJsonService;

  constructor(options: Omit<SignedRequesterOptions, 'signingName'> & { readonly endpoint?: string } = {}) {
    this.service = new AwsJsonService(COGNITO_SERVICE, { ...options, signingName: 'cognito-idp' });
  }

  /** `AdminCreateUser`, `AdminAddUserToGroup`, ...: the operation's JSON input to its JSON output. */
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    return this.service.awsJson11<T>(TARGET_PREFIX, operation, input);
  }
}
