/**
 * Caregiver respite as clients use it, on the local stack with its virtual clock: the family asks
 * for relief, staff offer the session to two aides, one accepts (the other is too late), notices
 * arrive as the clock moves, the aide checks in and out, the budget shows the hours used; an offer
 * that expires; a late cancellation that consumes its hours and sends no more notices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection, signIn } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let aideId: string;
let aide2Id: string;
let familyId: string;
let coordinatorFeed: RealtimeConnection;
let aide2Feed: RealtimeConnection;
let coordinatorSub: string;
let aide2Sub: string;

const year = new Date().getUTCFullYear() + 1;
const T0 = `${year}-03-01T08:00:00.000Z`;
const at = (day: number, hhmm: string) => `${year}-03-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;
const NEAR = { lat: 40.7128, lng: -74.006 };

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; fired: Array<{ name: string; kind: string; scheduledTime: string; error?: string }> };
};
const schedules = async () =>
  ((await (await fetch(`${stack.outputs.ApiUrl}/_local/schedules`)).json()) as { items: Array<{ name: string; type: string; kind: string }> }).items.map((s) => s.name);
const sessionPath = (id: string) => `/patients/${margaret}/respite-sessions/${id}`;
const budget = async () => (await api(tokens.family, 'GET', `/patients/${margaret}/respite-budget?year=${year}`)).body;
const inbox = async (token: string) =>
  ((await api(token, 'GET', '/me/notifications?limit=100')).body.items as Array<{ type: string; entityId: string }>);

beforeAll(async () => {
  stack = await startTestStack('e2e-respite');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  aideId = stack.demoUsers!.users.find((u) => u.role === 'aide')!.userId;
  familyId = stack.demoUsers!.users.find((u) => u.role === 'family')!.userId;
  const second = await api(tokens.admin, 'POST', '/users', { email: 'second.aide@sunrise.example', displayName: 'Second Aide', role: 'aide' });
  expect(second.status).toBe(201);
  aide2Id = second.body.userId;
  tokens.aide2 = await signIn(stack.outputs, second.body.email, second.body.password);
  coordinatorFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
  coordinatorSub = (await coordinatorFeed.start(ON_PATIENT_EVENT, { patientId: margaret })).id;
  aide2Feed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.aide2);
  aide2Sub = (await aide2Feed.start(ON_MY_EVENT)).id;
  await advance(T0);
});

afterAll(async () => {
  coordinatorFeed?.close();
  aide2Feed?.close();
  await stopTestStack(stack);
});

describe('caregiver respite on the virtual clock', () => {
  let sessionId: string;
  const offers: Record<string, { offerId: string; patientId: string; sessionId: string }> = {};

  it('sets a budget, takes a request, offers it to two aides: one wins, the other is too late', async () => {
    expect((await api(tokens.family, 'PUT', '/me/caregiver-profile', { fullName: 'Fay Family', caregiverType: 'family', languages: ['en'] })).status).toBe(200);
    expect((await api(tokens.coordinator, 'GET', `/caregivers/${familyId}/profile`)).body.fullName).toBe('Fay Family');
    expect((await api(tokens.family, 'PUT', `/patients/${margaret}/respite-budget`, { hoursPerYear: 40, year })).status).toBe(403);
    expect((await api(tokens.coordinator, 'PUT', `/patients/${margaret}/respite-budget`, { hoursPerYear: 40, year })).status).toBe(200);

    const body = { startAt: at(3, '09:00'), endAt: at(3, '13:00'), location: { address: '1 Harbor Rd', ...NEAR }, needs: ['companionship'] };
    expect((await api(tokens.family, 'POST', `/patients/${margaret}/respite-sessions`, { ...body, endAt: at(6, '09:01') })).status).toBe(400);
    const made = await api(tokens.family, 'POST', `/patients/${margaret}/respite-sessions`, body, { 'idempotency-key': 'respite-1' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ status: 'requested', hours: 4, budgetYear: year });
    sessionId = made.body.id;
    expect((await api(tokens.family, 'POST', `/patients/${margaret}/respite-sessions`, body, { 'idempotency-key': 'respite-1' })).body.id).toBe(sessionId);
    const queue = await api(tokens.coordinator, 'GET', '/respite-sessions?status=requested');
    expect(queue.body.items.map((s: { id: string }) => s.id)).toContain(sessionId);

    for (const [who, id] of [['aide', aideId], ['aide2', aide2Id]] as const) {
      const o = await api(tokens.coordinator, 'POST', `${sessionPath(sessionId)}/offers`, { aideId: id });
      expect(o.status).toBe(201);
      offers[who] = o.body;
    }
    const offered = await aide2Feed.next((m) => m.id === aide2Sub && m.payload?.data?.onMyEvent?.type === 'RespiteOfferMade');
    expect(offered.payload.data.onMyEvent.entityId).toBe(offers.aide2!.offerId);
    const mine = await api(tokens.aide2, 'GET', '/me/assignments');
    expect(mine.body.items.map((a: { offerStatus: string }) => a.offerStatus)).toEqual(['offered']);

    const won = await api(tokens.aide2, 'POST', `${sessionPath(sessionId)}/offers/${offers.aide2!.offerId}/accept`);
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ status: 'confirmed', aideId: aide2Id });
    const late = await api(tokens.aide, 'POST', `${sessionPath(sessionId)}/offers/${offers.aide!.offerId}/accept`);
    expect(late.status).toBe(409);
    expect(await budget()).toMatchObject({ hoursPerYear: 40, reservedHours: 4, usedHours: 0, remainingHours: 36 });
    expect((await schedules()).filter((n) => n.startsWith(`rsp-${sessionId}`)).sort()).toEqual([`rsp-${sessionId}-1h`, `rsp-${sessionId}-24h`, `rsp-${sessionId}-late`]);
    const updated = await coordinatorFeed.next((m) => m.id === coordinatorSub && m.payload?.data?.onPatientEvent?.type === 'RespiteSessionUpdated');
    expect(updated.payload.data.onPatientEvent.entityId).toBe(sessionId);
  });

  it('reminds the requester and the aide a day and an hour before; the unanswered offer expires', async () => {
    const { fired } = await advance(at(2, '09:05'));
    expect(fired.filter((f) => f.error)).toEqual([]);
    expect(fired.map((f) => f.kind)).toEqual(expect.arrayContaining(['respite-offer-expiry', 'respite-reminder']));
    await eventually(async () => ((await inbox(tokens.family!)).some((n) => n.type === 'RespiteReminder') ? true : undefined));
    await eventually(async () => ((await inbox(tokens.aide2!)).some((n) => n.type === 'RespiteReminder') ? true : undefined));
    expect((await inbox(tokens.aide2!)).some((n) => n.type === 'RespiteOfferMade')).toBe(true);
    const session = (await api(tokens.family, 'GET', sessionPath(sessionId))).body;
    expect(Object.fromEntries(session.offers.map((o: { aideId: string; status: string }) => [o.aideId, o.status]))).toEqual({ [aideId]: 'expired', [aide2Id]: 'accepted' });
    const oneHour = await advance(at(3, '08:05'));
    expect(oneHour.fired.map((f) => f.name)).toContain(`rsp-${sessionId}-1h`);
    await eventually(async () => ((await inbox(tokens.family!)).filter((n) => n.type === 'RespiteReminder').length === 2 ? true : undefined));
  });

  it('checks in and out at the place, with the EVV checks of a visit; the hours become used', async () => {
    await advance(at(3, '09:01'));
    expect((await api(tokens.aide, 'POST', `${sessionPath(sessionId)}/check-in`, { location: NEAR })).status).toBe(404);
    const inn = await api(tokens.aide2, 'POST', `${sessionPath(sessionId)}/check-in`, { location: { ...NEAR, accuracyMeters: 15 } });
    expect(inn.status).toBe(200);
    expect(inn.body).toMatchObject({ status: 'in_progress', checkIn: { withinGeofence: true } });
    expect((await schedules()).filter((n) => n.startsWith(`rsp-${sessionId}`))).toEqual([]);
    const { fired } = await advance(at(3, '13:00'));
    expect(fired.filter((f) => f.name.startsWith('rsp-'))).toEqual([]); // the late check was removed by the check-in
    const out = await api(tokens.aide2, 'POST', `${sessionPath(sessionId)}/check-out`, { location: NEAR });
    expect(out.body).toMatchObject({ status: 'completed', checkOut: { withinGeofence: true }, exceptions: [] });
    expect(await budget()).toMatchObject({ reservedHours: 0, usedHours: 4, remainingHours: 36 });
    const mine = await api(tokens.aide2, 'GET', `/me/assignments?from=${at(1, '00:00')}`);
    expect(mine.body.items).toEqual([expect.objectContaining({ sessionId, offerStatus: 'accepted', sessionStatus: 'completed', confirmed: true })]);
  });

  it('refuses an expired offer, and a late cancellation consumes the hours and silences the notices', async () => {
    const made = await api(tokens.family, 'POST', `/patients/${margaret}/respite-sessions`, {
      startAt: at(10, '09:00'), endAt: at(10, '11:00'), location: { address: '1 Harbor Rd', ...NEAR },
    });
    const id = made.body.id as string;
    const short = await api(tokens.coordinator, 'POST', `${sessionPath(id)}/offers`, { aideId, expiresInMinutes: 30 });
    await advance(new Date(Date.parse(short.body.expiresAt) + 60_000).toISOString());
    const expired = await api(tokens.aide, 'POST', `${sessionPath(id)}/offers/${short.body.offerId}/accept`);
    expect(expired.status).toBe(409);
    expect((await api(tokens.family, 'GET', sessionPath(id))).body.offers.map((o: { status: string }) => o.status)).toEqual(['expired']);

    const again = await api(tokens.coordinator, 'POST', `${sessionPath(id)}/offers`, { aideId: aide2Id });
    expect((await api(tokens.aide2, 'POST', `${sessionPath(id)}/offers/${again.body.offerId}/accept`)).status).toBe(200);
    expect(await budget()).toMatchObject({ reservedHours: 2, usedHours: 4 });
    await advance(at(10, '00:00')); // 9 hours before start (the 24-hour notice has gone out)
    const cancel = await api(tokens.family, 'POST', `${sessionPath(id)}/cancel`, { reason: 'Feeling better' });
    expect(cancel.body).toMatchObject({ status: 'cancelled', cancellation: 'consumed' });
    expect(await budget()).toMatchObject({ reservedHours: 0, usedHours: 6, remainingHours: 34 });
    expect((await schedules()).filter((n) => n.startsWith(`rsp-${id}`))).toEqual([]);
    // The 24-hour notice reaches the inbox through the stream, the bus and the fan-out: count it
    // once that has run, and count again only once anything the next hour could set off has run too.
    await stack.settle();
    const before = (await inbox(tokens.family!)).filter((n) => n.type === 'RespiteReminder' && n.entityId.startsWith(id)).length;
    expect(before, 'the 24-hour notice, sent before the cancellation').toBe(1);
    const { fired } = await advance(at(10, '10:00'));
    expect(fired.filter((f) => f.name.startsWith(`rsp-${id}`))).toEqual([]);
    await stack.settle();
    expect((await inbox(tokens.family!)).filter((n) => n.type === 'RespiteReminder' && n.entityId.startsWith(id)).length).toBe(before);
    console.log(`[figures] respite e2e budget: ${JSON.stringify(await budget())}`);
  });

  it('tells the coordinators when a confirmed session is not checked in 15 minutes after start', async () => {
    const made = await api(tokens.coordinator, 'POST', `/patients/${margaret}/respite-sessions`, {
      startAt: at(12, '09:00'), endAt: at(12, '10:00'), location: { address: '1 Harbor Rd', ...NEAR },
    });
    const o = await api(tokens.coordinator, 'POST', `${sessionPath(made.body.id)}/offers`, { aideId: aide2Id });
    expect((await api(tokens.aide2, 'POST', `${sessionPath(made.body.id)}/offers/${o.body.offerId}/accept`)).status).toBe(200);
    const { fired } = await advance(at(12, '09:16'));
    expect(fired.filter((f) => f.name === `rsp-${made.body.id}-late`).map((f) => [f.kind, f.error])).toEqual([['respite-late', undefined]]);
    await eventually(async () => ((await inbox(tokens.coordinator!)).some((n) => n.type === 'RespiteSessionLate' && n.entityId === made.body.id) ? true : undefined));
    const late = await coordinatorFeed.next((m) => m.id === coordinatorSub && m.payload?.data?.onPatientEvent?.type === 'RespiteSessionLate');
    expect(late.payload.data.onPatientEvent.entityId).toBe(made.body.id);
  });

  it('records every change with its actor: people for requests and answers, the scheduler for expiries and notices', async () => {
    await stack.settle();
    const rows = await queryAudit(
      stack.dataDir,
      `SELECT action, entity_type, entity_id, actor_id, source, patient_id FROM audit_events WHERE entity_type IN ('RespiteSession', 'RespiteOffer', 'RespiteReminder', 'RespiteBudget') ORDER BY "at"`,
    );
    const of = (entity: string, id: string) => rows.filter((r) => r.entity_type === entity && r.entity_id === id).map((r) => `${String(r.action)}:${String(r.actor_id)}`);
    expect(of('RespiteSession', sessionId)).toEqual([`create:${familyId}`, `confirm:${aide2Id}`, `check_in:${aide2Id}`, `check_out:${aide2Id}`]);
    expect(of('RespiteOffer', offers.aide!.offerId)).toEqual([expect.stringMatching(/^create:/), 'expire:scheduler']);
    expect(of('RespiteOffer', offers.aide2!.offerId)).toEqual([expect.stringMatching(/^create:/), `accept:${aide2Id}`]);
    expect(rows.filter((r) => r.entity_type === 'RespiteReminder' && String(r.entity_id).startsWith(sessionId)).map((r) => `${String(r.action)}:${String(r.source)}`)).toEqual(['create:scheduler', 'create:scheduler']);
    expect(rows.filter((r) => r.entity_type === 'RespiteBudget').length).toBeGreaterThan(0);
    expect(rows.every((r) => r.patient_id === margaret)).toBe(true);
  });
});
