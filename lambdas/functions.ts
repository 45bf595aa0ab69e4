/**
 * Every Lambda function of CareStack, derived (lambdas/registry.ts): the platform's own
 * (lambdas/platform.ts) and each domain's (lambdas/domains.ts). The CDK app creates one function
 * per entry with the shared function construct; the local stack builds the same handlers with local
 * dependencies. `entry` exports `handler` (AWS wiring from environment variables); `app` exports the
 * factory the local stack and the tests call with their own dependencies.
 */
export { FUNCTIONS, type FunctionId } from './registry.js';
export type { ApiFunctionId } from './domains.js';
