import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  ScheduleState,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
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
 * The scheduling port on EventBridge Scheduler. Recurring schedules are `cron(m h ? * DOW *)` read
 * in the patient's IANA zone (`ScheduleExpressionTimezone`), so a slot at 08:00 stays at 08:00
 * local across daylight-saving changes; one-time schedules are `at(...)` in UTC and delete
 * themselves after running. Flexible time window off: a reminder fires at its minute.
 */
export class AwsScheduler implements Scheduler {
  constructor(
    private readonly client: SchedulerClient,
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
      ActionAfterCompletion: ActionAfterCompletion.DELETE,
    });
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.config.groupName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }

  /** Create, or update when the name exists (UpdateSchedule replaces the whole definition). */
  private async upsert(input: CreateScheduleCommandInput): Promise<void> {
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (!(err instanceof ConflictException)) throw err;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  private base(name: string, payload: SchedulePayload) {
    return {
      Name: name,
      GroupName: this.config.groupName,
      State: ScheduleState.ENABLED,
      FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
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
    } satisfies Partial<CreateScheduleCommandInput>;
  }
}

/**
 * The scheduling port of a function that puts schedules (AWS entry files only): the client and the
 * group, target, role and DLQ from the environment the CDK app sets (lib/constructs/schedule-access.ts).
 * `targetArn` overrides the target (the scheduled-work function passes its own ARN from its context).
 */
export function schedulerFromEnvironment(client: SchedulerClient, targetArn = requireEnv(ENV.scheduledWorkArn)): AwsScheduler {
  return new AwsScheduler(client, {
    groupName: requireEnv(ENV.scheduleGroupName),
    targetArn,
    roleArn: requireEnv(ENV.schedulerRoleArn),
    deadLetterArn: requireEnv(ENV.scheduleDlqArn),
  });
}
