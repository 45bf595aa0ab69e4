import type { APIGatewayEventIdentity } from 'aws-lambda';

/**
 * The `requestContext.identity` of a REST proxy event for a caller API Gateway knows nothing of but
 * the address (Cognito callers are in the authorizer's claims): what the local gateway builds for a
 * request and the AppSync adapter for a field call.
 */
export function anonymousIdentity(sourceIp: string, userAgent: string | null): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
