/**
 * The medical concierge as a client uses it, on the local stack with its virtual clock: a provider
 * profile for the demo clinician, free slots, a booking by the patient, a reschedule by the family,
 * the notices at start - 24 h and start - 1 h in the inboxes of the patient, the family and the
 * provider, and a cancelled appointment that never sends a notice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let providerId: string;
let coordinatorFeed: RealtimeConnection;
let providerFeed: RealtimeConnection;
let coordinatorSub: string;
let providerSub: string;

// February (no daylight-saving change in New York): 10:00 local is 15:00Z.
const year = new Date().getUTCFullYear() + 1;
const at = (day: number, hhmm: string) => `${year}-02-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;
const T0 = at(1, '12:00');

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; fired: Array<{ name: string; kind: string; scheduledTime: string; error?: string }> };
};
const schedules = async () =>
  ((await (await fetch(`${stack.outputs.ApiUrl}/_local/schedules`)).json()) as { items: Array<{ name: string; kind: string }> }).items.filter((s) => s.kind === 'appointment-notice');
const reminders = async (role: string) =>
  ((await api(tokens[role], 'GET', '/me/notifications?limit=100')).body.items as Array<{ type: string; entityId: string }>).filter((n) => n.type === 'AppointmentReminder');

beforeAll(async () => {
  stack = await startTestStack('e2e-concierge');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  providerId = stack.demoUsers!.users.find((u) => u.role === 'clinician')!.userId;
  coordinatorFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
  coordinatorSub = (await coordinatorFeed.start(ON_PATIENT_EVENT, { patientId: margaret })).id;
  providerFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.clinician!);
  providerSub = (await providerFeed.start(ON_MY_EVENT)).id;
  await advance(T0);
});

afterAll(async () => {
  coordinatorFeed?.close();
  providerFeed?.close();
  await stopTestStack(stack);
});

describe('medical concierge on the virtual clock', () => {
  let appointmentId: string;

  it('creates the provider profile of the demo clinician (admin only)', async () => {
    const body = {
      userId: providerId, specialty: 'Family medicine', timezone: 'America/New_York', slotMinutes: 30,
      availability: { MON: [['09:00', '12:00'], ['13:00', '17:00']], TUE: [['09:00', '17:00']], WED: [['09:00', '17:00']], THU: [['09:00', '17:00']], FRI: [['09:00', '12:00']] },
    };
    expect((await api(tokens.coordinator, 'POST', '/providers', body)).status).toBe(403);
    const res = await api(tokens.admin, 'POST', '/providers', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ providerId, bufferMinutes: 0, minNoticeMinutes: 60, horizonDays: 90, isActive: true });
    expect((await api(tokens.admin, 'POST', '/providers', body)).status).toBe(409);
    expect((await api(tokens.compliance, 'GET', `/providers/${providerId}`)).status).toBe(403);
    expect((await api(tokens['admin@other'], 'GET', `/providers/${providerId}`)).status).toBe(404);
  });

  it('lists free slots in local time and books one for the patient, with two notices', async () => {
    const slots = await api(tokens.patient, 'GET', `/providers/${providerId}/slots?from=${at(3, '00:00')}&to=${at(4, '00:00')}&limit=3`);
    expect(slots.status).toBe(200);
    expect(slots.body.items.map((s: { startAt: string }) => s.startAt)).toEqual([at(3, '14:00'), at(3, '14:30'), at(3, '15:00')]);
    expect(slots.body.nextCursor).toEqual(expect.any(String));
    const booked = await api(tokens.patient, 'POST', `/patients/${margaret}/appointments`, { providerId, startAt: at(3, '15:00'), reason: 'Check-up' });
    expect(booked.status).toBe(201);
    appointmentId = booked.body.id;
    const notices = await schedules();
    expect(notices.map((s) => s.name).sort()).toEqual([`appt-${appointmentId}-${year}0203T1500-1h`, `appt-${appointmentId}-${year}0203T1500-24h`]);
    console.log(`[figures] concierge: ${notices.length} schedules per appointment (one-time notices at start - 24 h and start - 1 h)`);
    await stack.settle();
    const seen = await coordinatorFeed.next((m) => m.id === coordinatorSub && m.payload?.data?.onPatientEvent?.type === 'AppointmentBooked');
    expect(seen.payload.data.onPatientEvent).toMatchObject({ patientId: margaret, entityId: appointmentId });
    const mine = await providerFeed.next((m) => m.id === providerSub && m.payload?.data?.onMyEvent?.type === 'AppointmentBooked');
    expect(mine.payload.data.onMyEvent.recipientId).toBe(providerId);
    const taken = await api(tokens.family, 'POST', `/patients/${margaret}/appointments`, { providerId, startAt: at(3, '15:00') });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details).toEqual([{ path: 'interval', message: `${at(3, '15:00')}/${at(3, '15:30')}` }]);
  });

  it('moves the notices with a reschedule; the old start sends nothing', async () => {
    const moved = await api(tokens.family, 'POST', `/patients/${margaret}/appointments/${appointmentId}/reschedule`, { startAt: at(4, '15:00') });
    expect(moved.status).toBe(200);
    expect((await schedules()).map((s) => s.name).sort()).toEqual([`appt-${appointmentId}-${year}0204T1500-1h`, `appt-${appointmentId}-${year}0204T1500-24h`]);
    const { fired } = await advance(at(3, '15:05'));
    expect(fired.filter((f) => f.kind === 'appointment-notice').map((f) => f.name)).toEqual([`appt-${appointmentId}-${year}0204T1500-24h`]);
    expect(fired.every((f) => !f.error)).toBe(true);
    await stack.settle();
    for (const role of ['patient', 'family', 'clinician']) expect((await reminders(role)).map((n) => n.entityId)).toEqual([appointmentId]);
    expect(await reminders('aide')).toEqual([]);
    await providerFeed.next((m) => m.id === providerSub && m.payload?.data?.onMyEvent?.type === 'AppointmentReminder');
  });

  it('sends the one-hour notice, then nothing more', async () => {
    const { fired } = await advance(at(4, '14:05'));
    expect(fired.filter((f) => f.kind === 'appointment-notice').map((f) => f.name)).toEqual([`appt-${appointmentId}-${year}0204T1500-1h`]);
    await stack.settle();
    for (const role of ['patient', 'family', 'clinician']) expect(await reminders(role)).toHaveLength(2);
    expect(await schedules()).toEqual([]);
  });

  it('never sends a notice for a cancelled appointment', async () => {
    const second = await api(tokens.coordinator, 'POST', `/patients/${margaret}/appointments`, { providerId, startAt: at(10, '15:00') });
    expect(second.status).toBe(201);
    expect(await schedules()).toHaveLength(2);
    expect((await api(tokens.aide, 'POST', `/patients/${margaret}/appointments/${second.body.id}/cancel`, { reason: 'No' })).status).toBe(403);
    const cancelled = await api(tokens.patient, 'POST', `/patients/${margaret}/appointments/${second.body.id}/cancel`, { reason: 'Travelling' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await schedules()).toEqual([]);
    const free = await api(tokens.patient, 'GET', `/providers/${providerId}/slots?from=${at(10, '15:00')}&to=${at(10, '15:30')}`);
    expect(free.body.items).toEqual([{ startAt: at(10, '15:00'), endAt: at(10, '15:30') }]);
    const { fired } = await advance(at(10, '16:00'));
    expect(fired.filter((f) => f.kind === 'appointment-notice')).toEqual([]);
    await stack.settle();
    for (const role of ['patient', 'family', 'clinician']) expect(await reminders(role)).toHaveLength(2);
    const list = await api(tokens.patient, 'GET', `/patients/${margaret}/appointments?from=${at(1, '00:00')}`);
    expect(list.body.items.map((a: { status: string }) => a.status)).toEqual(['booked', 'cancelled']);
  });
});
