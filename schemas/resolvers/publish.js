/**
 * Mutation.publish (NONE data source, IAM only: the EventBridge rule). Returns the event as given,
 * which is what AppSync fans out to the `@aws_subscribe(mutations: ["publish"])` subscriptions;
 * their filters decide who receives it.
 */
export function request() {
  return { payload: null };
}

export function response(ctx) {
  return ctx.args.event;
}
