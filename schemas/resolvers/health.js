/** Query.health: AppSync needs a query type; it answers who AppSync thinks the caller is. */
export function request() {
  return { payload: null };
}

export function response(ctx) {
  const sub = ctx.identity && ctx.identity.sub;
  return sub ? `ok:${sub}` : 'ok';
}
