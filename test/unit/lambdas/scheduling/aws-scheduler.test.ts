import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { HttpRequest } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsScheduler, SchedulerApi } from '../../../../lambdas/shared/scheduling/aws-scheduler.js';
import { awsError, useAwsEndpoint, type SeenRequest } from '../../../support/aws-endpoint.js';

/**
 * AwsScheduler sends Scheduler's restJson1 requests itself (signed, with fetch). Each request is
 * compared with the one the real `@aws-sdk/client-scheduler` sends for the same input, both sent
 * to a local endpoint that checks SigV4 independently; the same endpoint answers as Scheduler does
 * (a conflict, a missing schedule, a failure, a validation error) for the behaviour tests.
 */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const config = {
  groupName: 'carestack-dev',
  targetArn: 'arn:aws:lambda:us-east-1:111111111111:function:scheduled-work',
  roleArn: 'arn:aws:iam::111111111111:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:111111111111:schedule-dlq',
};
const payload = { kind: 'dose-slot', orgId: 'o', patientId: 'p', medicationId: 'm', time: '08:00' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const endpoint = useAwsEndpoint(credentials.secretAccessKey, { doubleEscapePath: true });

const api = () => new SchedulerApi({ region: 'us-east-1', credentials, endpoint: endpoint.url, retryBaseMs: 1 });
const scheduler = () => new AwsScheduler(api(), config);
const sdk = () => new SchedulerClient({ region: 'us-east-1', credentials, endpoint: endpoint.url, maxAttempts: 1 });

/** What the comparison reads of a request: all but the idempotency token (a fresh UUID per call). */
function wire(r: SeenRequest) {
  const { clientToken, ...query } = r.query;
  const { ClientToken, ...body } = r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {};
  return {
    request: { method: r.method, path: r.path, query, body, contentType: r.headers['content-type'], target: r.headers['x-amz-target'], valid: r.valid, service: r.service },
    token: ClientToken ?? clientToken,
  };
}

/** Ours, then the SDK's for the same input: the two requests, compared. */
async function expectSameAsSdk(ours: () => Promise<void>, theirs: () => Promise<unknown>) {
  await ours();
  const mine = wire(endpoint.seen.at(-1)!);
  await theirs();
  const sdks = wire(endpoint.seen.at(-1)!);
  expect(mine.request).toEqual(sdks.request);
  expect(mine.request.valid).toBe(true);
  expect(mine.token).toMatch(UUID);
  expect(sdks.token).toMatch(UUID);
  return mine.request;
}

/** The CreateSchedule input AwsScheduler should build for a recurring dose slot (Mon and Fri, 08:00 New York). */
const recurring: CreateScheduleCommandInput = {
  Name: 'med-m-0800',
  GroupName: 'carestack-dev',
  ScheduleExpression: 'cron(0 8 ? * MON,FRI *)',
  ScheduleExpressionTimezone: 'America/New_York',
  StartDate: new Date('2026-01-05T05:00:00Z'),
  EndDate: new Date('2026-02-01T05:00:00Z'),
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: config.targetArn,
    RoleArn: config.roleArn,
    Input: JSON.stringify({ ...payload, scheduleName: 'med-m-0800', scheduledTime: '<aws.scheduler.scheduled-time>' }),
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: config.deadLetterArn },
  },
};
const putRecurring = () =>
  scheduler().putRecurring({ name: 'med-m-0800', cron: { minute: 0, hour: 8, daysOfWeek: ['MON', 'FRI'] }, timezone: 'America/New_York', startDate: '2026-01-05', endDate: '2026-01-31', payload });

/** A one-time missed-dose check: at() in UTC, deleted after it ran. */
const oneTime: CreateScheduleCommandInput = {
  Name: 'miss-d',
  GroupName: 'carestack-dev',
  ScheduleExpression: 'at(2026-01-05T14:00:00)',
  ScheduleExpressionTimezone: 'UTC',
  ActionAfterCompletion: 'DELETE',
  State: 'ENABLED',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: config.targetArn,
    RoleArn: config.roleArn,
    Input: JSON.stringify({ kind: 'dose-missed-check', scheduleName: 'miss-d', scheduledTime: '<aws.scheduler.scheduled-time>' }),
    RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
    DeadLetterConfig: { Arn: config.deadLetterArn },
  },
};
const putOneTime = () => scheduler().putOneTime({ name: 'miss-d', at: '2026-01-05T14:00:00.000Z', payload: { kind: 'dose-missed-check' } });

describe('on the wire: the requests @aws-sdk/client-scheduler sends for the same input', () => {
  it('CreateSchedule, recurring: POST /schedules/{Name}, the cron in the patient zone, start and end as epoch seconds', async () => {
    const request = await expectSameAsSdk(putRecurring, () => sdk().send(new CreateScheduleCommand(recurring)));
    expect(request).toMatchObject({ method: 'POST', path: '/schedules/med-m-0800', contentType: 'application/json', service: 'scheduler' });
    expect(request.body).toMatchObject({ StartDate: Date.parse('2026-01-05T05:00:00Z') / 1000, EndDate: Date.parse('2026-02-01T05:00:00Z') / 1000 });
    expect(request.body).not.toHaveProperty('Name');
  });

  it('CreateSchedule, every day and no end date', async () => {
    const daily: CreateScheduleCommandInput = {
      ...recurring,
      Name: 'med-m-2030',
      ScheduleExpression: 'cron(30 20 ? * * *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      StartDate: new Date('2026-05-31T22:00:00Z'),
      EndDate: undefined,
      Target: { ...recurring.Target!, Input: JSON.stringify({ ...payload, scheduleName: 'med-m-2030', scheduledTime: '<aws.scheduler.scheduled-time>' }) },
    };
    const request = await expectSameAsSdk(
      () => scheduler().putRecurring({ name: 'med-m-2030', cron: { minute: 30, hour: 20 }, timezone: 'Europe/Berlin', startDate: '2026-06-01', payload }),
      () => sdk().send(new CreateScheduleCommand(daily)),
    );
    expect(request.body).not.toHaveProperty('EndDate');
  });

  it('CreateSchedule, one-time: at() in UTC, deleted after completion', async () => {
    const request = await expectSameAsSdk(putOneTime, () => sdk().send(new CreateScheduleCommand(oneTime)));
    expect(request.body).toMatchObject({ ActionAfterCompletion: 'DELETE', ScheduleExpression: 'at(2026-01-05T14:00:00)' });
  });

  it('UpdateSchedule (after a conflict): PUT /schedules/{Name} with the whole definition', async () => {
    endpoint.respond((r) => (r.method === 'POST' ? awsError(409, 'ConflictException', 'Schedule miss-d already exists.') : { status: 200, body: { ScheduleArn: 'arn' } }));
    const request = await expectSameAsSdk(putOneTime, () => sdk().send(new UpdateScheduleCommand(oneTime)));
    expect(request).toMatchObject({ method: 'PUT', path: '/schedules/miss-d' });
  });

  it('DeleteSchedule: DELETE /schedules/{Name}?groupName=..&clientToken=.., no body', async () => {
    const request = await expectSameAsSdk(
      () => scheduler().delete('med-m-0800'),
      () => sdk().send(new DeleteScheduleCommand({ Name: 'med-m-0800', GroupName: 'carestack-dev' })),
    );
    expect(request).toMatchObject({ method: 'DELETE', path: '/schedules/med-m-0800', query: { groupName: 'carestack-dev' }, body: {} });
    expect(endpoint.seen.at(-1)!.query.clientToken).toMatch(UUID);
  });

  it('resolves the endpoint as the SDK does: AWS_ENDPOINT_URL_SCHEDULER, AWS_ENDPOINT_URL, then scheduler.<region>.amazonaws.com', async () => {
    const hostOfSdk = async () => {
      let host = '';
      const capture = {
        handle: async (r: HttpRequest) => {
          host = `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
          return { response: { statusCode: 200, headers: {}, body: Buffer.from('{}') } };
        },
      };
      await new SchedulerClient({ region: 'eu-west-1', credentials, requestHandler: capture }).send(new DeleteScheduleCommand({ Name: 'x', GroupName: 'g' }));
      return host;
    };
    const ours = () => new SchedulerApi({ region: 'eu-west-1', credentials }).service.endpoint;
    const saved = { ...process.env };
    try {
      delete process.env.AWS_ENDPOINT_URL;
      delete process.env.AWS_ENDPOINT_URL_SCHEDULER;
      expect(ours()).toBe('https://scheduler.eu-west-1.amazonaws.com');
      expect(await hostOfSdk()).toBe(ours());
      process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4101';
      expect(ours()).toBe('http://127.0.0.1:4101');
      expect(await hostOfSdk()).toBe(ours());
      process.env.AWS_ENDPOINT_URL_SCHEDULER = 'http://127.0.0.1:4102';
      expect(ours()).toBe('http://127.0.0.1:4102');
      expect(await hostOfSdk()).toBe(ours());
    } finally {
      process.env = saved;
    }
  });
});

describe('AwsScheduler against an endpoint that answers as Scheduler does', () => {
  afterEach(() => expect(endpoint.seen.every((r) => r.valid)).toBe(true));

  it('creates once when the name is new', async () => {
    await putRecurring();
    expect(endpoint.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /schedules/med-m-0800']);
  });

  it('replaces a schedule that exists: a 409 ConflictException, then UpdateSchedule', async () => {
    endpoint.respond((r) => (r.method === 'POST' ? awsError(409, 'ConflictException', 'exists') : { status: 200, body: {} }));
    await putOneTime();
    expect(endpoint.seen.map((r) => r.method)).toEqual(['POST', 'PUT']);
    expect(wire(endpoint.seen[1]!).request.body).toEqual(wire(endpoint.seen[0]!).request.body);
  });

  it('deletes in the group, and a schedule that is gone already (404 ResourceNotFoundException) is fine', async () => {
    endpoint.respond(() => awsError(404, 'ResourceNotFoundException', 'Schedule med-m-0800 does not exist.'));
    await scheduler().delete('med-m-0800');
    expect(endpoint.seen).toHaveLength(1);
  });

  it('retries a 500 with the same idempotency token, then succeeds', async () => {
    let calls = 0;
    endpoint.respond(() => (++calls === 1 ? awsError(500, 'InternalServerException', 'try again') : { status: 200, body: { ScheduleArn: 'arn' } }));
    await putOneTime();
    expect(endpoint.seen.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(wire(endpoint.seen[1]!).token).toBe(wire(endpoint.seen[0]!).token);
  });

  it('retries a throttling error sent as a 400 (the name says so), at most three attempts', async () => {
    endpoint.respond(() => awsError(400, 'ThrottlingException', 'Rate exceeded'));
    const err = await scheduler().delete('x').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400, attempts: 3 } });
    expect(endpoint.seen).toHaveLength(3);
  });

  it('surfaces a validation error with its name, message and status, not retried', async () => {
    endpoint.respond(() => awsError(400, 'ValidationException', 'Invalid Schedule Expression cron(0 8 ? * MON,FRI *).'));
    const err = await putRecurring().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'ValidationException', message: 'Invalid Schedule Expression cron(0 8 ? * MON,FRI *).', $metadata: { httpStatusCode: 400 } });
    expect(endpoint.seen).toHaveLength(1);
  });

  it('surfaces any other failure of a delete', async () => {
    endpoint.respond(() => awsError(403, 'AccessDeniedException', 'not allowed'));
    await expect(scheduler().delete('x')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
