/**
 * Everything that connects the app to CareStack, configured from the stack's outputs. On AWS, give
 * it the `cdk deploy` outputs; `CognitoEndpoint` exists only locally.
 */
import { createCareStackClient } from '@carestack/client';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/api';
import { fetchAuthSession } from 'aws-amplify/auth';

export const outputs = __CARESTACK_OUTPUTS__;

Amplify.configure({
  // Sign-in: Amplify's default flow, SRP, against the user pool (locally: the local pool's endpoint).
  Auth: { Cognito: { userPoolId: outputs.UserPoolId, userPoolClientId: outputs.UserPoolClientId, userPoolEndpoint: outputs.CognitoEndpoint } },
  // GraphQL over https, subscriptions over wss://<GraphqlUrl>/realtime, with the user pool's tokens.
  API: { GraphQL: { endpoint: outputs.GraphqlUrl, region: outputs.Region, defaultAuthMode: 'userPool' } },
});

/**
 * REST, typed from the contract. The ID token is asked for before every request, so Amplify's
 * refreshed token is the one sent. Errors are thrown as `CareStackError` (`status`, `code`, `details`).
 */
export const api = createCareStackClient({
  apiUrl: outputs.ApiUrl,
  token: async () => (await fetchAuthSession()).tokens?.idToken?.toString(),
});

/** GraphQL: queries, mutations and subscriptions, typed by the documents in `@carestack/client/graphql`. */
export const graphql = generateClient();

/**
 * Locally, GraphQL and realtime are served over TLS with a self-signed certificate (Amplify always
 * subscribes over wss://). A browser that does not trust it yet fails every GraphQL call after
 * retries; this says why at once. (README, "Trust the local certificate".)
 */
export async function checkLocalCertificate(): Promise<void> {
  if (!outputs.CognitoEndpoint || !outputs.GraphqlUrl.startsWith('https:')) return;
  await fetch(outputs.GraphqlUrl, { mode: 'no-cors' }).catch(() => {
    throw new Error(
      `This browser does not trust the local stack's certificate, so it cannot reach ${outputs.GraphqlUrl}. ` +
        'Open that address once and accept the certificate, or start the browser as `npm run web` prints (README, "Trust the local certificate"); then reload.',
    );
  });
}
