import { util } from '@aws-appsync/utils';

/**
 * Every Query and Mutation field that mirrors a REST route (schemas/api.graphql), one Lambda data
 * source per domain function: the function that serves the route over REST.
 *
 * The request hands the function the field (the route's operation name), the arguments, the
 * caller's verified Cognito identity (ID or access token claims) and AppSync's request id; the
 * function runs the route's own pipeline (lambdas/shared/http/appsync.ts): roles, validation,
 * service, access decision, audit. It answers `{ data }` or `{ error: { message, errorType,
 * errorInfo } }`; an error becomes `util.error` with the REST error code as `errorType`, and the
 * field is null. The local stack runs this very file for each field (local/graphql/).
 */
export function request(ctx) {
  const headers = (ctx.request && ctx.request.headers) || {};
  const identity = ctx.identity || {};
  return {
    operation: 'Invoke',
    payload: {
      field: ctx.info.fieldName,
      parentType: ctx.info.parentTypeName,
      arguments: ctx.arguments || {},
      identity: { sub: identity.sub || null, claims: identity.claims || {} },
      requestId: headers['x-amzn-requestid'] || util.autoId(),
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    // The invocation itself failed (throttled, timed out): no REST code to give.
    util.error('Something went wrong; try again later', 'internal');
  }
  const result = ctx.result || {};
  if (result.error) {
    util.error(result.error.message, result.error.errorType, null, result.error.errorInfo);
  }
  return result.data;
}
