import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { CreatePlatformEndpointCommand, DeleteEndpointCommand, EndpointDisabledException, PublishCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsSender } from '../../../../lambdas/delivery/aws-sender.js';
import { Delivery, type DeliveryRequest } from '../../../../lambdas/delivery/delivery.js';
import type { DeliveryCounts } from '../../../../lambdas/delivery/metrics.js';
import { MAX_ATTEMPTS, type DeliveryRef, type DeliveryRepository, type StoredDevice, type StoredPreferences } from '../../../../lambdas/delivery/repository.js';
import type { OneTimeSchedule, Scheduler } from '../../../../lambdas/shared/scheduling/scheduler.js';
import { fixedClock, silentLogger } from '../support/api-events.js';
import { OFF_APP } from '../../../../lambdas/registry.js';

const sns = mockClient(SNSClient);
const ses = mockClient(SESv2Client);
const APNS = 'arn:aws:sns:us-east-1:123456789012:app/APNS/carestack';
const ENDPOINT = 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/carestack/0000-1111';

/**
 * The repository's contract, in memory: `claim` succeeds once per record, or again only from a
 * non-permanent `failed` with attempts left (DynamoDB Local checks the real conditions in
 * test/integration/lambdas/delivery.test.ts).
 */
class MemoryRepo {
  records = new Map<string, { status: string; attempts: number; permanent?: boolean; messageId?: string }>();
  devicesList: StoredDevice[] = [];
  constructor(public prefs: StoredPreferences | undefined) {}
  async preferences() { return this.prefs; }
  async devices() { return this.devicesList; }
  async userEmail() { return 'family@example.org'; }
  async claim(_: unknown, ref: DeliveryRef) {
    const k = `${ref.notificationId}#${ref.channel}#${ref.target}`;
    const r = this.records.get(k);
    if (!r) return this.records.set(k, { status: 'sending', attempts: 1 }), true;
    if (r.status === 'failed' && !r.permanent && r.attempts < MAX_ATTEMPTS) return Object.assign(r, { status: 'sending', attempts: r.attempts + 1 }), true;
    return false;
  }
  async settle(_: unknown, ref: DeliveryRef, outcome: Parameters<DeliveryRepository['settle']>[2]) {
    Object.assign(this.records.get(`${ref.notificationId}#${ref.channel}#${ref.target}`)!, outcome);
  }
  async setEndpoint(_: unknown, _u: string, id: string, endpointArn: string) {
    this.devicesList = this.devicesList.map((d) => (d.id === id ? { ...d, endpointArn } : d));
  }
  async removeDevice(_: unknown, _u: string, id: string) {
    this.devicesList = this.devicesList.filter((d) => d.id !== id);
    return true;
  }
}

const ALL_ON: StoredPreferences = { channels: { email: true, sms: true, push: true }, phoneNumber: '+15551230000', mutedTypes: [], version: 1, updatedAt: null };
const device: StoredDevice = { id: 'dev1', platform: 'apns', token: 'a'.repeat(64), version: 1, createdAt: '', updatedAt: '' };

function setup(prefs: StoredPreferences | 'never saved' = ALL_ON, type = 'DoseMissed') {
  const repo = new MemoryRepo(prefs === 'never saved' ? undefined : prefs);
  repo.devicesList = [device];
  const holds: OneTimeSchedule[] = [];
  const scheduler: Scheduler = { putOneTime: async (s) => void holds.push(s), putRecurring: async () => {}, delete: async () => {} };
  const sender = new AwsSender(new SNSClient({ region: 'us-east-1' }), new SESv2Client({ region: 'us-east-1' }), {
    platformApplications: { apns: APNS }, emailFrom: 'CareStack <no-reply@carestack.example>', sms: true,
  });
  const published: DeliveryCounts[] = [];
  const delivery = new Delivery({
    repo: repo as unknown as DeliveryRepository,
    inbox: { get: async (_o, _u, id) => (id === 'gone' ? undefined : { id, type }) },
    sender, scheduler, clock: fixedClock('2030-01-15T15:00:00Z'), logger: silentLogger(), offApp: OFF_APP,
    metrics: { publish: (c) => void published.push(c) }, appUrl: 'https://app.example',
  });
  return { repo, holds, delivery, published };
}

const req = (over: Partial<DeliveryRequest> = {}): DeliveryRequest => ({
  orgId: 'o', userId: 'u', notificationId: 'n1', at: new Date('2030-01-15T15:00:00Z'), requestId: 'evt-1', source: 'system', ...over,
});

beforeEach(() => {
  sns.reset();
  ses.reset();
  sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: ENDPOINT });
  sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

describe('delivery, at most once per notification and channel', () => {
  it('sends one push, one SMS and one email with the request shapes SNS and SES expect', async () => {
    const { delivery, repo } = setup();
    const counts = await delivery.deliver(req());
    expect(counts).toMatchObject({ email: { sent: 1 }, sms: { sent: 1 }, push: { sent: 1 } });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'CareStack <no-reply@carestack.example>',
      Destination: { ToAddresses: ['family@example.org'] },
      Content: { Simple: { Subject: { Data: 'CareStack: A medication reminder needs your attention', Charset: 'UTF-8' }, Body: { Text: { Data: expect.stringContaining('https://app.example/notifications/n1'), Charset: 'UTF-8' } } } },
    });
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      PhoneNumber: '+15551230000',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
    expect(sns).toHaveReceivedCommandWith(CreatePlatformEndpointCommand, { PlatformApplicationArn: APNS, Token: device.token, CustomUserData: 'dev1' });
    const push = sns.commandCalls(PublishCommand).map((c) => c.args[0].input).find((i) => i.TargetArn)!;
    expect(push).toMatchObject({ TargetArn: ENDPOINT, MessageStructure: 'json' });
    const body = JSON.parse(push.Message!);
    expect(JSON.parse(body.APNS).aps.alert.body).toBe('A medication reminder needs your attention');
    expect(JSON.parse(body.GCM).data).toEqual({ notificationId: 'n1', link: 'https://app.example/notifications/n1' });
    // The endpoint is remembered: the next push does not create another.
    expect(repo.devicesList[0]!.endpointArn).toBe(ENDPOINT);
    expect([...repo.records.values()].map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('a redelivered event (five times, some at once) sends nothing more', async () => {
    const { delivery } = setup();
    await delivery.deliver(req());
    const again = await Promise.all([1, 2, 3, 4, 5].map((i) => delivery.deliver(req({ requestId: `evt-1-redelivered-${i}` }))));
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2); // one SMS, one push
    expect(sns).toHaveReceivedCommandTimes(CreatePlatformEndpointCommand, 1);
    for (const c of again) expect(c).toMatchObject({ email: { sent: 0, skipped: 1 }, sms: { sent: 0, skipped: 1 }, push: { sent: 0, skipped: 1 } });
  });

  it('a transient failure fails the invocation; the retry sends only what failed', async () => {
    const { delivery, repo } = setup();
    sns.on(PublishCommand, { PhoneNumber: '+15551230000' }).rejectsOnce(new ThrottledException({ message: 'slow down', $metadata: {} })).resolves({ MessageId: 'sns-2' });
    await expect(delivery.deliver(req())).rejects.toThrow(/failed on 1 destination/);
    expect(repo.records.get('n1#sms#sms')).toMatchObject({ status: 'failed', permanent: false });
    const retry = await delivery.deliver(req());
    expect(retry).toMatchObject({ sms: { sent: 1 }, email: { sent: 0, skipped: 1 }, push: { sent: 0, skipped: 1 } });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.PhoneNumber)).toHaveLength(2);
  });

  it('a device SNS reports disabled is failed for good, removed, and its endpoint deleted', async () => {
    const { delivery, repo } = setup();
    repo.devicesList = [{ ...device, endpointArn: ENDPOINT }];
    sns.on(PublishCommand, { TargetArn: ENDPOINT }).rejects(new EndpointDisabledException({ message: 'Endpoint is disabled', $metadata: {} }));
    const counts = await delivery.deliver(req());
    expect(counts.push).toMatchObject({ failed: 1, sent: 0 });
    expect(repo.devicesList).toEqual([]);
    expect(sns).toHaveReceivedCommandWith(DeleteEndpointCommand, { EndpointArn: ENDPOINT });
    expect(repo.records.get('n1#push#dev1')).toMatchObject({ status: 'failed', permanent: true });
    // Not retried: nothing was thrown, and a redelivery does not try again.
    await delivery.deliver(req());
    expect(sns.commandCalls(PublishCommand).filter((c) => c.args[0].input.TargetArn)).toHaveLength(1);
  });

  it('holds a non-urgent one during quiet hours with one derived schedule, and releases it once', async () => {
    const quiet = { ...ALL_ON, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' } };
    const { delivery, holds } = setup(quiet, 'IncidentUpdated');
    const night = new Date('2030-01-15T04:00:00Z'); // 23:00 local
    expect(await delivery.deliver(req({ at: night }))).toMatchObject({ email: { held: 1 }, sms: { held: 1 }, push: { held: 1 } });
    await delivery.deliver(req({ at: night, requestId: 'redelivered' }));
    expect(holds.map((h) => [h.name, h.at])).toEqual([['dlv-n1', '2030-01-15T12:00:00.000Z'], ['dlv-n1', '2030-01-15T12:00:00.000Z']]);
    expect(holds[0]!.payload).toEqual({ kind: 'delivery-release', orgId: 'o', userId: 'u', notificationId: 'n1' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    // The release fires at the end (decided at its scheduled time), and a replayed fire sends nothing more.
    const release = req({ at: new Date('2030-01-15T12:00:00Z'), source: 'scheduler', requestId: 'dlv-n1@2030-01-15T12:00:00Z' });
    expect(await delivery.deliver(release)).toMatchObject({ email: { sent: 1 }, sms: { sent: 1 }, push: { sent: 1 } });
    await delivery.deliver(release);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it('sends an urgent one at once during quiet hours; a muted type never', async () => {
    const quiet = { ...ALL_ON, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' } };
    const urgent = setup(quiet, 'DoseMissed');
    expect(await urgent.delivery.deliver(req({ at: new Date('2030-01-15T04:00:00Z') }))).toMatchObject({ email: { sent: 1, held: 0 } });
    expect(urgent.holds).toEqual([]);
    sns.resetHistory();
    ses.resetHistory();
    const muted = setup({ ...ALL_ON, mutedTypes: ['DoseMissed'] }, 'DoseMissed');
    expect(await muted.delivery.deliver(req())).toMatchObject({ email: { skipped: 1 }, sms: { skipped: 1 }, push: { skipped: 1 } });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('nothing is delivered that the inbox does not hold; defaults send push only', async () => {
    const { delivery } = setup();
    expect(await delivery.deliver(req({ notificationId: 'gone' }))).toMatchObject({ email: { sent: 0, skipped: 0 }, push: { sent: 0 } });
    const defaults = setup('never saved');
    expect(await defaults.delivery.deliver(req())).toMatchObject({ push: { sent: 1 }, email: { sent: 0 }, sms: { sent: 0 } });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it('publishes per-channel counts', async () => {
    const { delivery, published } = setup();
    await delivery.deliver(req());
    expect(published).toEqual([
      { email: { sent: 1, held: 0, failed: 0, skipped: 0 }, sms: { sent: 1, held: 0, failed: 0, skipped: 0 }, push: { sent: 1, held: 0, failed: 0, skipped: 0 } },
    ]);
  });
});
