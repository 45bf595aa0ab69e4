/**
 * Delivery off the app on the local stack, as a family member experiences it: they choose email
 * and SMS with quiet hours 22:00-07:00 in New York. At 23:00 a dose is missed (urgent: it reaches
 * their outbox at once) while an incident update made at 22:05 waits for the quiet hours to end
 * (a schedule on the virtual clock). Each notification arrives exactly once per channel, and no
 * message carries a medication name or incident detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let familyEmail: string;
const PHONE = '+15551239876';

// January of next year (no daylight-saving change): New York is UTC-5.
const year = new Date().getUTCFullYear() + 1;
const at = (day: number, hhmm: string) => `${year}-01-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;

type OutboxItem = { id: string; channel: string; to: string; subject?: string; text: string; notificationId?: string; createdAt: string };
const outbox = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/outbox?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: OutboxItem[] }).items;
};
const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { fired: Array<{ name: string; kind: string; error?: string }> };
  expect(body.fired.filter((f) => f.error)).toEqual([]);
  await settle();
  return body.fired;
};
/** A change -> its event -> the inbox item -> its NotificationCreated -> delivery: two trips through stream and bus. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await stack.settle();
};
const inboxOf = async (token: string) => (await api(token, 'GET', '/me/notifications?limit=100')).body.items as Array<{ id: string; type: string }>;

beforeAll(async () => {
  stack = await startTestStack('e2e-delivery');
  api = apiClient(stack.outputs);
  for (const u of stack.demoUsers!.users) tokens[u.role] = await signIn(stack.outputs, u.email, u.password);
  familyEmail = stack.demoUsers!.users.find((u) => u.role === 'family')!.email;
  margaret = stack.demoUsers!.patients[0]!.patientId;
  await advance(at(10, '20:00')); // 15:00 in New York
});

afterAll(async () => {
  await stopTestStack(stack);
});

describe('delivery off the app', () => {
  it('the family member chooses email and SMS with quiet hours; bad input is refused', async () => {
    const bad = await api(tokens.family, 'PUT', '/me/notification-preferences', { channels: { sms: true }, phoneNumber: '555 1234', quietHours: { start: '22:00', end: '7', timezone: 'America/New_York' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.phoneNumber', 'body.quietHours.end']);
    const put = await api(tokens.family, 'PUT', '/me/notification-preferences', {
      channels: { email: true, sms: true, push: false }, phoneNumber: PHONE, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' },
    });
    expect(put.status).toBe(200);
    expect((await api(tokens.family, 'GET', '/me/notification-preferences')).body).toMatchObject({ channels: { email: true, sms: true, push: false }, phoneNumber: PHONE, version: 1 });
    // Only their own: the coordinator still has the defaults.
    expect((await api(tokens.coordinator, 'GET', '/me/notification-preferences')).body.version).toBe(0);
  });

  it('a missed dose at 23:00 arrives at once; an incident update at 22:05 waits until 07:00; each exactly once', async () => {
    const med = await api(tokens.clinician, 'POST', `/patients/${margaret}/medications`, {
      name: 'Metformin', dosage: '500 mg', schedule: { times: ['22:00'], timezone: 'America/New_York', startDate: `${year}-01-10` },
    });
    expect(med.status).toBe(201);
    // In the afternoon (not quiet): the incident report reaches the family at once.
    const incident = await api(tokens.aide, 'POST', `/patients/${margaret}/incidents`, {
      category: 'fall', severity: 'low', details: 'Slipped in the bathroom, bruised left knee', occurredAt: at(10, '19:30'),
    });
    expect(incident.status).toBe(201);
    await settle();
    const afternoon = await outbox(familyEmail);
    expect(afternoon.map((m) => m.subject)).toEqual(['CareStack: An incident report needs your attention']);

    // 22:00 local: the dose is due. 22:05: the coordinator starts investigating -> held for the family.
    await advance(at(11, '03:05'));
    const patched = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${incident.body.id}`, { version: incident.body.version, status: 'investigating' });
    expect(patched.status).toBe(200);
    await settle();
    const inbox = await inboxOf(tokens.family!);
    const update = inbox.find((n) => n.type === 'IncidentUpdated')!;
    expect(update).toBeDefined();
    const schedules = ((await (await fetch(`${stack.outputs.ApiUrl}/_local/schedules`)).json()) as { items: Array<{ name: string; kind: string }> }).items;
    expect(schedules.filter((s) => s.kind === 'delivery-release').map((s) => s.name)).toEqual([`dlv-${update.id}`]);
    expect((await outbox(familyEmail)).map((m) => m.notificationId)).not.toContain(update.id);

    // 23:00 local: the dose is missed. Urgent: email and SMS at once, in the middle of quiet hours.
    const fired = await advance(at(11, '04:05'));
    expect(fired.map((f) => f.kind)).toContain('dose-missed-check');
    const missed = (await inboxOf(tokens.family!)).find((n) => n.type === 'DoseMissed')!;
    expect(missed).toBeDefined();
    const night = await outbox(familyEmail);
    expect(night.filter((m) => m.notificationId === missed.id)).toEqual([
      expect.objectContaining({ channel: 'email', subject: 'CareStack: A medication reminder needs your attention', createdAt: expect.stringMatching(new RegExp(`^${year}-01-11T04:0`)) }),
    ]);
    expect((await outbox(PHONE)).filter((m) => m.notificationId === missed.id)).toHaveLength(1);
    expect(night.map((m) => m.notificationId)).not.toContain(update.id);

    // 07:00 local: the quiet hours end and the held update goes, once, on both channels.
    const morning = await advance(at(11, '12:05'));
    expect(morning.filter((f) => f.kind === 'delivery-release').map((f) => f.name)).toEqual([`dlv-${update.id}`]);
    const emails = await outbox(familyEmail);
    const texts = await outbox(PHONE);
    expect(emails.filter((m) => m.notificationId === update.id)).toEqual([
      expect.objectContaining({ channel: 'email', subject: 'CareStack: An incident report was updated', createdAt: expect.stringMatching(new RegExp(`^${year}-01-11T12:0[0-4]`)) }),
    ]);
    expect(texts.filter((m) => m.notificationId === update.id)).toHaveLength(1);

    // Exactly once per notification and channel, oldest first, and no clinical detail anywhere.
    for (const list of [emails, texts]) {
      const ids = list.map((m) => m.notificationId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(list.map((m) => m.createdAt)).toEqual([...list.map((m) => m.createdAt)].sort());
    }
    console.log(`[figures] family outbox: ${emails.length} emails, ${texts.length} SMS for ${new Set(emails.map((m) => m.notificationId)).size} notifications`);
    const all = JSON.stringify([...emails, ...texts]);
    for (const phi of ['Metformin', '500 mg', 'Margaret', 'knee', 'bathroom', 'fall', 'investigating']) expect(all).not.toContain(phi);
    for (const m of emails) expect(m.text).toMatch(/^.+\. Open CareStack to see it: http:\/\/localhost:5173\/notifications\/[0-9A-Z]{26}$/);
  });

  it('lists the whole outbox without ?to=, and nothing for an unknown address', async () => {
    const res = await fetch(`${stack.outputs.ApiUrl}/_local/outbox`);
    const { items } = (await res.json()) as { items: OutboxItem[] };
    expect(items.length).toBeGreaterThanOrEqual(6);
    expect(await outbox('nobody@example.org')).toEqual([]);
  });
});
