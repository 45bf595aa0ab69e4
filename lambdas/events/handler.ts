import { eventBridgeClient } from '../shared/aws/clients.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { createEventsHandler } from './app.js';
import { EventBridgePublisher } from './eventbridge-publisher.js';

export const handler = createEventsHandler({
  publisher: new EventBridgePublisher(eventBridgeClient(), requireEnv(ENV.eventBusName)),
  logger: createLogger('events'),
});
