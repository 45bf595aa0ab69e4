export { startLocalUserPool, type LocalUserPool, type LocalUserPoolOptions } from './server.js';
export { cacheVerifiedTokens, createTokenVerifier, type TokenClaims, type TokenVerifierOptions, type VerifyToken } from './token-verifier.js';
export type { CodeDelivery, LocalPoolTriggers, PostAuthenticationHook } from './user-pools.js';
export { CognitoError } from './errors.js';
