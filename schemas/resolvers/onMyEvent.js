import { util, extensions } from '@aws-appsync/utils';

/**
 * Subscription.onMyEvent (NONE data source, Cognito user pools): events addressed to the caller
 * (recipientId = their sub) within their own org. The filter is evaluated by AppSync on every
 * published event, so nothing else reaches the connection.
 */
export function request() {
  return { payload: null };
}

export function response(ctx) {
  const claims = (ctx.identity && ctx.identity.claims) || {};
  const orgId = claims['custom:orgId'];
  if (!ctx.identity || !ctx.identity.sub || !orgId) {
    util.unauthorized();
  }
  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({
      recipientId: { eq: ctx.identity.sub },
      orgId: { eq: orgId },
    }),
  );
  return null;
}
