import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsScheduler } from '../../../../lambdas/shared/scheduling/aws-scheduler.js';

const mock = mockClient(SchedulerClient);
const config = {
  groupName: 'carestack-dev',
  targetArn: 'arn:aws:lambda:us-east-1:111111111111:function:scheduled-work',
  roleArn: 'arn:aws:iam::111111111111:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:111111111111:schedule-dlq',
};
const scheduler = () => new AwsScheduler(new SchedulerClient({ region: 'us-east-1' }), config);
const payload = { kind: 'dose-slot', orgId: 'o', patientId: 'p', medicationId: 'm', time: '08:00' };

beforeEach(() => mock.reset());

describe('AwsScheduler', () => {
  it('creates a recurring cron in the patient zone with start/end dates, target, retries and DLQ', async () => {
    mock.on(CreateScheduleCommand).resolves({});
    await scheduler().putRecurring({
      name: 'med-m-0800',
      cron: { minute: 0, hour: 8, daysOfWeek: ['MON', 'FRI'] },
      timezone: 'America/New_York',
      startDate: '2026-01-05',
      endDate: '2026-01-31',
      payload,
    });
    expect(mock).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      Name: 'med-m-0800',
      GroupName: 'carestack-dev',
      ScheduleExpression: 'cron(0 8 ? * MON,FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
      StartDate: new Date('2026-01-05T05:00:00Z'),
      EndDate: new Date('2026-02-01T05:00:00Z'),
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: config.targetArn,
        RoleArn: config.roleArn,
        DeadLetterConfig: { Arn: config.deadLetterArn },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
      },
    });
    expect(input.ActionAfterCompletion).toBeUndefined();
    expect(JSON.parse(input.Target!.Input!)).toEqual({ ...payload, scheduleName: 'med-m-0800', scheduledTime: '<aws.scheduler.scheduled-time>' });
  });

  it('uses every day when no days of the week are given', async () => {
    mock.on(CreateScheduleCommand).resolves({});
    await scheduler().putRecurring({ name: 'med-m-2030', cron: { minute: 30, hour: 20 }, timezone: 'Europe/Berlin', startDate: '2026-06-01', payload });
    const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input.ScheduleExpression).toBe('cron(30 20 ? * * *)');
    expect(input.EndDate).toBeUndefined();
  });

  it('creates a one-time at() in UTC that deletes itself after running', async () => {
    mock.on(CreateScheduleCommand).resolves({});
    await scheduler().putOneTime({ name: 'miss-d', at: '2026-01-05T14:00:00.000Z', payload: { kind: 'dose-missed-check' } });
    expect(mock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: 'miss-d',
      ScheduleExpression: 'at(2026-01-05T14:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
    });
  });

  it('replaces a schedule that exists (UpdateSchedule with the whole definition)', async () => {
    mock.on(CreateScheduleCommand).rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    mock.on(UpdateScheduleCommand).resolves({});
    await scheduler().putOneTime({ name: 'miss-d', at: '2026-01-05T14:00:00Z', payload: { kind: 'dose-missed-check' } });
    expect(mock).toHaveReceivedCommandWith(UpdateScheduleCommand, { Name: 'miss-d', ActionAfterCompletion: 'DELETE' });
  });

  it('deletes in the group, and a schedule that is gone already is fine', async () => {
    mock.on(DeleteScheduleCommand).rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} })).resolves({});
    await scheduler().delete('med-m-0800');
    await scheduler().delete('med-m-0800');
    expect(mock).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: 'med-m-0800', GroupName: 'carestack-dev' });
  });

  it('surfaces any other failure', async () => {
    mock.on(DeleteScheduleCommand).rejects(new Error('throttled'));
    await expect(scheduler().delete('x')).rejects.toThrow('throttled');
  });
});
