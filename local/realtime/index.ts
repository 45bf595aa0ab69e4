export {
  startRealtimeServer,
  authorizationFromHeader,
  type AuthorizeSubscription,
  type RealtimeServer,
  type RealtimeServerOptions,
  type SubscriptionDecision,
} from './server.js';
export { SUBSCRIPTION_FIELDS, type SubscriptionField } from './schema.js';
