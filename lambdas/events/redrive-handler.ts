import { dynamoStreamsClient, eventBridgeClient, sqsClient } from '../shared/aws/clients.js';
import { SqsFailureQueue } from '../shared/aws/sqs-failure-queue.js';
import { DynamoStreamRangeReader } from '../shared/aws/stream-range-reader.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { redriveFailures, type RedriveReport } from '../shared/streams/redrive.js';
import { createEventsHandler } from './app.js';
import { EventBridgePublisher } from './eventbridge-publisher.js';

const logger = createLogger('events-redrive');
const events = createEventsHandler({ publisher: new EventBridgePublisher(eventBridgeClient(), requireEnv(ENV.eventBusName)), logger });

/**
 * Invoked by an operator (docs/operations.md, "Events redrive"), with any payload: drains
 * StreamEventsFailures once, publishing each batch's events late (with their original ids), and
 * answers the report; a batch the stream no longer holds is reported by its sequence range and kept.
 */
export const handler = async (): Promise<RedriveReport> =>
  redriveFailures({
    consumer: 'events',
    queue: new SqsFailureQueue(sqsClient(), requireEnv(ENV.failureQueueUrl)),
    reader: new DynamoStreamRangeReader(dynamoStreamsClient(), requireEnv('AWS_REGION')),
    handler: events,
    logger,
  });
