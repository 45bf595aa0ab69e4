import { randomUUID } from 'node:crypto';
import { AwsJsonService, escapeUri, type SignedRequesterOptions } from '../aws/signed-request.js';
import { ENV, requireEnv } from '../env.js';
import type { OneTimeSchedule, RecurringSchedule, SchedulePayload, Scheduler } from './scheduler.js';
import { addDays, startOfLocalDay } from './zoned-time.js';

export interface AwsSchedulerConfig {
  /** The schedule group every CareStack schedule lives in. */
  groupName: string;
  /** The scheduled-work function (a function passes its own ARN from the invocation context). */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke the target and write to the DLQ. */
  roleArn: string;
  /** SQS queue for fires that still failed after the retries. */
  deadLetterArn: string;
  /** @default 185 (the API's maximum) */
  maximumRetryAttempts?: number;
  /** @default 3600 (a dose reminder older than an hour is no longer a reminder) */
  maximumEventAgeInSeconds?: number;
}

/**
 * The members of CreateSchedule / UpdateSchedule (the same shape) that CareStack sends. Dates are
 * `Date`s here and epoch seconds on the wire, as restJson1 sends a timestamp.
 */
export interface ScheduleInput {
  Name: string;
  GroupName: string;
  State: 'ENABLED';
  FlexibleTimeWindow: { Mode: 'OFF' };
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  StartDate?: Date;
  EndDate?: Date;
  ActionAfterCompletion?: 'DELETE';
  Target: {
    Arn: string;
    RoleArn: string;
    Input: string;
    RetryPolicy: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
    DeadLetterConfig: { Arn: string };
  };
}

/** EventBridge Scheduler's service id (for `AWS_ENDPOINT_URL_SCHEDULER`) and endpoint prefix. */
export const SCHEDULER_SERVICE = { id: 'SCHEDULER', endpointPrefix: 'scheduler' } as const;

/**
 * Scheduler's restJson1 API as signed requests (lambdas/shared/aws/signed-request.ts): the three
 * calls CareStack makes, in place of `@aws-sdk/client-scheduler` and the restJson serde it pulls
 * into a bundle (~30 KB, issue 25). The requests are the SDK client's for the same input
 * (test/unit/lambdas/scheduling/aws-scheduler.test.ts), including the idempotency token the
 * SDK fills in (`ClientToken`), kept across the retries of one call so a retried create cannot make
 * a second schedule.
 */
export class SchedulerApi {
  readonly service: AwsJsonService;

  constructor(options: Omit<SignedRequesterOptions, 'signingName'> & { readonly endpoint?: string } = {}) {
    this.service = new AwsJsonService(SCHEDULER_SERVICE, { ...options, signingName: 'scheduler' });
  }

  async createSchedule(input: ScheduleInput, clientToken: string = randomUUID()): Promise<void> {
    await this.service.restJson('POST', `/schedules/${escapeUri(input.Name)}`, {}, body(input, clientToken));
  }

  async updateSchedule(input: ScheduleInput, clientToken: string = randomUUID()): Promise<void> {
    await this.service.restJson('PUT', `/schedules/${escapeUri(input.Name)}`, {}, body(input, clientToken));
  }

  async deleteSchedule(input: { Name: string; GroupName: string }, clientToken: string = randomUUID()): Promise<void> {
    await this.service.restJson('DELETE', `/schedules/${escapeUri(input.Name)}`, { groupName: input.GroupName, clientToken });
  }
}

/** The JSON body: every member but the path's `Name`, timestamps in epoch seconds. */
function body({ Name: _inPath, StartDate, EndDate, ...rest }: ScheduleInput, ClientToken: string): Record<string, unknown> {
  return {
    ...rest,
    ClientToken,
    ...(StartDate ? { StartDate: StartDate.getTime() / 1000 } : {}),
    ...(EndDate ? { EndDate: EndDate.getTime() / 1000 } : {}),
  };
}

/**
 * The scheduling port on EventBridge Scheduler. Recurring schedules are `cron(m h ? * DOW *)` read
 * in the patient's IANA zone (`ScheduleExpressionTimezone`), so a slot at 08:00 stays at 08:00
 * local across daylight-saving changes; one-time schedules are `at(...)` in UTC and delete
 * themselves after running. Flexible time window off: a reminder fires at its minute.
 */
export class AwsScheduler implements Scheduler {
  constructor(
    private readonly api: SchedulerApi,
    private readonly config: AwsSchedulerConfig,
  ) {}

  async putRecurring(s: RecurringSchedule): Promise<void> {
    const dow = s.cron.daysOfWeek?.length ? s.cron.daysOfWeek.join(',') : '*';
    await this.upsert({
      ...this.base(s.name, s.payload),
      ScheduleExpression: `cron(${s.cron.minute} ${s.cron.hour} ? * ${dow} *)`,
      ScheduleExpressionTimezone: s.timezone,
      StartDate: startOfLocalDay(s.startDate, s.timezone),
      ...(s.endDate ? { EndDate: startOfLocalDay(addDays(s.endDate, 1), s.timezone) } : {}),
    });
  }

  async putOneTime(s: OneTimeSchedule): Promise<void> {
    await this.upsert({
      ...this.base(s.name, s.payload),
      // at() takes local time without zone or fraction; with no timezone given it is UTC.
      ScheduleExpression: `at(${new Date(s.at).toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
    });
  }

  async delete(name: string): Promise<void> {
    try {
      await this.api.deleteSchedule({ Name: name, GroupName: this.config.groupName });
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ResourceNotFoundException')) throw err;
    }
  }

  /** Create, or update when the name exists (UpdateSchedule replaces the whole definition). */
  private async upsert(input: ScheduleInput): Promise<void> {
    try {
      await this.api.createSchedule(input);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ConflictException')) throw err;
      await this.api.updateSchedule(input);
    }
  }

  private base(name: string, payload: SchedulePayload) {
    return {
      Name: name,
      GroupName: this.config.groupName,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: this.config.targetArn,
        RoleArn: this.config.roleArn,
        // Scheduler fills in the context attribute when it fires: the handler's "when".
        Input: JSON.stringify({ ...payload, scheduleName: name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: {
          MaximumRetryAttempts: this.config.maximumRetryAttempts ?? 185,
          MaximumEventAgeInSeconds: this.config.maximumEventAgeInSeconds ?? 3600,
        },
        DeadLetterConfig: { Arn: this.config.deadLetterArn },
      },
    } satisfies Partial<ScheduleInput>;
  }
}

/**
 * The scheduling port of a function that puts schedules (AWS entry files only): signed requests
 * with the role's credentials and `AWS_REGION` from the environment, and the group, target, role
 * and DLQ the CDK app sets (lib/constructs/schedule-access.ts). `targetArn` overrides the target
 * (the scheduled-work function passes its own ARN from its context).
 */
export function schedulerFromEnvironment(targetArn = requireEnv(ENV.scheduledWorkArn), api: SchedulerApi = new SchedulerApi()): AwsScheduler {
  return new AwsScheduler(api, {
    groupName: requireEnv(ENV.scheduleGroupName),
    targetArn,
    roleArn: requireEnv(ENV.schedulerRoleArn),
    deadLetterArn: requireEnv(ENV.scheduleDlqArn),
  });
}
