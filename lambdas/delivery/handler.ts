import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { dynamoClient } from '../shared/aws/clients.js';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { OFF_APP } from '../platform-registry.js';
import { AwsScheduler, SchedulerApi } from '../shared/scheduling/aws-scheduler.js';
import type { FiredPayload } from '../shared/scheduling/scheduler.js';
import { createDeliveryBusHandler, createDeliveryReleaseHandler, type DeliveryFunctionDeps } from './app.js';
import { AwsSender } from './aws-sender.js';
import { OUTCOMES, type DeliveryCounts } from './metrics.js';

// Clients at module scope: once per execution environment.
const db = new Db(dynamoClient(), requireEnv(ENV.tableName));
const sender = new AwsSender(new SNSClient({}), new SESv2Client({}), {
  platformApplications: {
    ...(process.env[ENV.apnsPlatformApplicationArn] ? { apns: process.env[ENV.apnsPlatformApplicationArn] } : {}),
    ...(process.env[ENV.fcmPlatformApplicationArn] ? { fcm: process.env[ENV.fcmPlatformApplicationArn] } : {}),
  },
  ...(process.env[ENV.emailFrom] ? { emailFrom: process.env[ENV.emailFrom] } : {}),
  sms: process.env[ENV.smsEnabled] !== 'false',
});
const schedulerApi = new SchedulerApi();
const logger = createLogger('delivery');
const metrics = new Metrics({ namespace: 'CareStack', serviceName: 'delivery' });

/** Per-channel counts as EMF: one metric set per channel, `channel` as its dimension. */
const publish = (counts: DeliveryCounts) => {
  for (const [channel, byOutcome] of Object.entries(counts)) {
    if (OUTCOMES.every((o) => byOutcome[o] === 0)) continue;
    metrics.addDimension('channel', channel);
    for (const o of OUTCOMES) metrics.addMetric(`${o[0]!.toUpperCase()}${o.slice(1)}`, MetricUnit.Count, byOutcome[o]);
    metrics.publishStoredMetrics();
  }
};

let deps: DeliveryFunctionDeps | undefined;
let bus: ReturnType<typeof createDeliveryBusHandler> | undefined;
let release: ReturnType<typeof createDeliveryReleaseHandler> | undefined;

/**
 * AWS entry: the bus rule's `NotificationCreated` (has `detail-type`), and the one-time schedules
 * that release messages held through quiet hours. Those schedules target this function itself: its
 * own ARN comes from the invocation context (an environment variable would be a circular dependency).
 */
export const handler = async (event: FiredPayload | EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  deps ??= {
    db,
    sender,
    scheduler: new AwsScheduler(schedulerApi, {
      groupName: requireEnv(ENV.scheduleGroupName),
      targetArn: context.invokedFunctionArn.split(':').slice(0, 7).join(':'),
      roleArn: requireEnv(ENV.schedulerRoleArn),
      deadLetterArn: requireEnv(ENV.scheduleDlqArn),
      // A held message older than a day is stale news: drop it to the DLQ rather than send late.
      maximumEventAgeInSeconds: 86_400,
    }),
    clock: systemClock,
    logger,
    metrics: { publish },
    appUrl: requireEnv(ENV.appUrl),
    offApp: OFF_APP,
  };
  if ('detail-type' in event) {
    bus ??= createDeliveryBusHandler(deps);
    await bus(event as EventBridgeEvent<string, unknown>);
    return;
  }
  release ??= createDeliveryReleaseHandler(deps);
  await release(event);
};
