import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { systemClock } from '../shared/clock.js';
import { Db } from '../shared/data/db.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createLogger } from '../shared/logger.js';
import { SchedulerApi, schedulerFromEnvironment } from '../shared/scheduling/aws-scheduler.js';
import type { FiredPayload } from '../shared/scheduling/scheduler.js';
import { JOBS, REACTIONS } from '../jobs.js';
import { createScheduledWorkBusHandler, createScheduledWorkHandler, type ScheduledWorkDeps } from './app.js';

// Clients at module scope: once per execution environment.
const db = new Db(new DynamoDBClient({}), requireEnv(ENV.tableName));
const schedulerApi = new SchedulerApi();
const logger = createLogger('scheduledWork');
let deps: ScheduledWorkDeps | undefined;
let work: ReturnType<typeof createScheduledWorkHandler> | undefined;
let bus: ReturnType<typeof createScheduledWorkBusHandler> | undefined;

/**
 * AWS entry: schedule fires, and the bus rule of the events domains react to (`detail-type`). The one-time
 * schedules this function sets target itself: its own ARN comes from the
 * invocation context (an environment variable holding it would make the function depend on itself).
 */
export const handler = async (event: FiredPayload | EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  deps ??= {
    db,
    scheduler: schedulerFromEnvironment(unqualified(context.invokedFunctionArn), schedulerApi),
    clock: systemClock,
    logger,
  };
  // A bus rule's event has `detail-type` (a domain's reaction); a schedule's payload never does.
  if ('detail-type' in event) {
    bus ??= createScheduledWorkBusHandler(deps, REACTIONS);
    await bus(event as EventBridgeEvent<string, unknown>);
    return;
  }
  work ??= createScheduledWorkHandler(deps, JOBS);
  await work(event);
};

/** `arn:aws:lambda:r:a:function:name[:qualifier]` without the qualifier. */
const unqualified = (arn: string) => arn.split(':').slice(0, 7).join(':');
