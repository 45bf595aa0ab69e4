/**
 * The credential provider every bundled SDK client uses on Lambda, in place of
 * `@aws-sdk/credential-provider-node` (esbuild `alias` in lib/constructs/care-function.ts).
 *
 * Lambda hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, and the default chain's first link, `fromEnv`, is the one that answers there.
 * The rest of the chain (shared ini files, SSO, web identity, process, container and instance
 * metadata) never runs on Lambda but costs ~90 KB of bundle (STS, SSO and sign-in clients) and
 * their load time on every cold start (`npm run bench`, "bundles").
 *
 * Local stack and tests do not bundle, so they keep the SDK's full default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
