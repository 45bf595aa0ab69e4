/**
 * Home health as a client uses it, on the local stack with its virtual clock: aide profiles, a
 * visit created, aides suggested, one assigned (realtime to the patient channel and the aide),
 * checked in outside the geofence and out again, the EVV export before and after a reason code;
 * a late and then missed visit by moving the clock; supplies used down to zero with one SupplyLow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection, signIn } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let walter: string;
let ana: string; // the demo aide, on Margaret's care team
let bea: string; // a second aide, on no care team
let coordinatorFeed: RealtimeConnection;
let aideFeed: RealtimeConnection;
let coordinatorSub: string;
let aideSub: string;

// A March day next year (UTC, the demo org's zone).
const year = new Date().getUTCFullYear() + 1;
const at = (hhmm: string) => `${year}-03-02T${hhmm}:00.000Z`;
const DAY = `${year}-03-02`;
const ALL_WEEK = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['06:00', '22:00']]]));
const HOUSE = { lat: 40.0, lng: -75.0, address: '12 Elm St, Springfield' };
const HOUSE_FIX = { lat: HOUSE.lat, lng: HOUSE.lng };
let visitId: string;

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; fired: Array<{ name: string; kind: string; error?: string }> };
};
const titles = async (token: string) => ((await api(token, 'GET', '/me/notifications?limit=100')).body.items as Array<{ title: string }>).map((n) => n.title);

beforeAll(async () => {
  stack = await startTestStack('e2e-home-health');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  walter = stack.demoUsers!.patients[1]!.patientId;
  ana = stack.demoUsers!.users.find((u) => u.role === 'aide')!.userId;
  const created = (await api(tokens.admin, 'POST', '/users', { email: 'bea.aide@sunrise.example', displayName: 'Bea Aide', role: 'aide' })).body;
  bea = created.userId;
  tokens.bea = await signIn(stack.outputs, created.email, created.password);
  coordinatorFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
  coordinatorSub = (await coordinatorFeed.start(ON_PATIENT_EVENT, { patientId: margaret })).id;
  aideFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.aide!);
  aideSub = (await aideFeed.start(ON_MY_EVENT)).id;
  await advance(at('07:00'));
});

afterAll(async () => {
  coordinatorFeed?.close();
  aideFeed?.close();
  await stopTestStack(stack);
});

describe('home visits on the virtual clock', () => {
  it('keeps aide profiles', async () => {
    const body = { skills: ['personal_care', 'wound_care'], languages: ['en'], homeBase: { lat: 40.05, lng: -75.0 }, serviceRadiusKm: 30, availability: ALL_WEEK, timezone: 'UTC' };
    expect((await api(tokens.coordinator, 'PUT', `/aides/${ana}`, body)).status).toBe(200);
    expect((await api(tokens.coordinator, 'PUT', `/aides/${bea}`, { ...body, homeBase: { lat: 40.1, lng: -75.0 } })).status).toBe(200);
    expect((await api(tokens.aide, 'PUT', `/aides/${bea}`, body)).status).toBe(403);
    expect((await api(tokens['admin@other'], 'PUT', `/aides/${bea}`, body)).status).toBe(404);
    const listed = await api(tokens.coordinator, 'GET', '/aides?skill=wound_care');
    expect(listed.body.items.map((a: { userId: string }) => a.userId).sort()).toEqual([ana, bea].sort());
  });

  it('creates a visit, suggests aides nearest first, assigns one: the patient channel and the aide hear of it', async () => {
    const bad = await api(tokens.coordinator, 'POST', `/patients/${margaret}/visits`, { serviceType: 'personal_care', scheduledStart: at('10:00'), scheduledEnd: at('09:00'), location: HOUSE });
    expect(bad.status).toBe(400);
    const made = await api(tokens.coordinator, 'POST', `/patients/${margaret}/visits`, {
      serviceType: 'personal_care', scheduledStart: at('10:00'), scheduledEnd: at('11:00'), location: HOUSE, tasks: ['bath'], requiredSkills: ['wound_care'],
    });
    expect(made.status).toBe(201);
    expect(made.body.status).toBe('scheduled');
    visitId = made.body.id;
    const suggested = await api(tokens.coordinator, 'GET', `/patients/${margaret}/visits/${visitId}/suggested-aides`);
    expect(suggested.body.items.map((s: { aideId: string; from: string }) => [s.aideId, s.from])).toEqual([
      [ana, 'home_base'],
      [bea, 'home_base'],
    ]);
    expect(suggested.body.items[0].distanceKm).toBeLessThan(suggested.body.items[1].distanceKm);
    const assigned = await api(tokens.coordinator, 'POST', `/patients/${margaret}/visits/${visitId}/assign`, { aideId: ana });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'assigned', aideId: ana });
    await stack.settle();
    const onPatient = await coordinatorFeed.next((m) => m.id === coordinatorSub && m.payload?.data?.onPatientEvent?.type === 'VisitUpdated');
    expect(onPatient.payload.data.onPatientEvent.entityId).toBe(visitId);
    const mine = await aideFeed.next((m) => m.id === aideSub && m.payload?.data?.onMyEvent?.type === 'VisitUpdated');
    expect(mine.payload.data.onMyEvent.recipientId).toBe(ana);
    const day = await api(tokens.coordinator, 'GET', `/visits?date=${DAY}&status=assigned`);
    expect(day.body.items.map((v: { id: string }) => v.id)).toEqual([visitId]);
  });

  it('checks in outside the geofence (recorded, not refused), checks out; the export holds it back until a reason code', async () => {
    await advance(at('10:02'));
    expect((await api(tokens.bea, 'POST', `/patients/${margaret}/visits/${visitId}/check-in`, { location: HOUSE_FIX })).status).toBe(404); // not on the team
    expect((await api(tokens.aide, 'POST', `/patients/${margaret}/visits/${visitId}/check-out`, { location: HOUSE_FIX })).body.error.code).toBe('invalid_transition');
    const checkIn = await api(tokens.aide, 'POST', `/patients/${margaret}/visits/${visitId}/check-in`, { location: { lat: 40.004, lng: -75.0, accuracyMeters: 15 } });
    expect(checkIn.status).toBe(200);
    expect(checkIn.body.status).toBe('in_progress');
    expect(checkIn.body.exceptions).toEqual([{ code: 'out_of_geofence', on: 'check-in', at: expect.any(String) }]);
    const route = await api(tokens.aide, 'GET', `/me/route?date=${DAY}`);
    expect(route.body.stops.map((s: { id: string }) => s.id)).toEqual([visitId]);
    expect(route.body.totals.homeDistanceKm).toBeGreaterThan(5);

    await advance(at('11:00'));
    const out = await api(tokens.aide, 'POST', `/patients/${margaret}/visits/${visitId}/check-out`, { location: HOUSE_FIX });
    expect(out.body.status).toBe('completed');
    const before = await api(tokens.coordinator, 'GET', `/evv?from=${DAY}&to=${DAY}`);
    expect(before.body).toEqual({ visits: [], incomplete: [{ visitId, missing: ['reasonCode'] }] });

    const evv = await api(tokens.coordinator, 'GET', `/patients/${margaret}/visits/${visitId}/evv`);
    const fixed = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/visits/${visitId}/evv`, { version: evv.body.version, reasonCode: 'gps_unavailable', note: 'Weak signal in the building' });
    expect(fixed.status).toBe(200);
    expect(fixed.body.changes).toEqual([expect.objectContaining({ field: 'reasonCode', new: 'gps_unavailable', reasonCode: 'gps_unavailable' })]);
    const after = await api(tokens.coordinator, 'GET', `/evv?from=${DAY}&to=${DAY}`);
    expect(after.body.incomplete).toEqual([]);
    expect(after.body.visits.map((r: { visitId: string }) => r.visitId)).toEqual([visitId]);
    const csv = await fetch(`${stack.outputs.ApiUrl}/evv?from=${DAY}&to=${DAY}&format=csv`, { headers: { authorization: `Bearer ${tokens.coordinator}` } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('visit_id,service_type,recipient_id,date,timezone,latitude,longitude,address,aide_id,begin,end,exception_codes,reason_codes');
    expect(lines[1]).toContain(`${visitId},personal_care,${margaret},${DAY},UTC,40,-75,"12 Elm St, Springfield",${ana},`);
    expect(lines[1]).toContain('out_of_geofence,gps_unavailable');
  });

  it('notifies coordinators of a late visit and marks a visit missed at its end (coordinators and the aide)', async () => {
    const made = await api(tokens.coordinator, 'POST', `/patients/${walter}/visits`, {
      serviceType: 'companionship', scheduledStart: at('12:00'), scheduledEnd: at('13:00'), location: { ...HOUSE, lat: 40.02 }, aideId: bea,
    });
    expect(made.status).toBe(201);
    expect((await api(tokens.coordinator, 'GET', `/patients/${walter}/care-team`)).body.items.map((m: { userId: string }) => m.userId)).toContain(bea);
    const late = await advance(at('12:15'));
    expect(late.fired.filter((f) => f.name === `visit-${made.body.id}-late`)).toHaveLength(1);
    await stack.settle();
    expect((await titles(tokens.coordinator!)).filter((t) => t === 'Visit late')).toHaveLength(1);
    const missed = await advance(at('13:00'));
    expect(missed.fired.filter((f) => f.name === `visit-${made.body.id}-missed`)).toHaveLength(1);
    expect(missed.fired.every((f) => !f.error)).toBe(true);
    await stack.settle();
    const visit = (await api(tokens.coordinator, 'GET', `/patients/${walter}/visits?from=${at('00:00')}&to=${at('23:59')}`)).body.items[0];
    expect(visit).toMatchObject({ id: made.body.id, status: 'missed' });
    expect((await titles(tokens.coordinator!)).filter((t) => t === 'Visit missed')).toHaveLength(1);
    expect((await titles(tokens.bea!)).filter((t) => t === 'Visit missed')).toHaveLength(1);
    // The first visit was checked in: no late or missed notice for it.
    expect((await titles(tokens.coordinator!)).filter((t) => t === 'Visit late')).toHaveLength(1);
  });

  it('uses supplies down to zero, never below, with one SupplyLow for the crossing', async () => {
    const supply = await api(tokens.coordinator, 'POST', '/supplies', { name: 'Wound dressing', sku: 'WD-10', unit: 'piece', quantity: 3, reorderLevel: 2 });
    expect(supply.status).toBe(201);
    const use = (key: string) => api(tokens.aide, 'POST', `/patients/${margaret}/visits/${visitId}/supplies`, { supplyId: supply.body.id, quantity: 1 }, { 'idempotency-key': key });
    expect((await use('u1')).status).toBe(201); // 3 -> 2: at the level, not below
    expect((await use('u2')).status).toBe(201); // 2 -> 1: crosses
    expect((await use('u2')).status).toBe(201); // replay: no change
    expect((await use('u3')).status).toBe(201); // 1 -> 0
    const refused = await use('u4');
    expect(refused.status).toBe(409);
    const stock = await api(tokens.aide, 'GET', '/supplies?below=reorder');
    expect(stock.body.items.map((s: { sku: string; quantity: number }) => [s.sku, s.quantity])).toEqual([['WD-10', 0]]);
    await stack.settle();
    expect((await titles(tokens.coordinator!)).filter((t) => t === 'Supply low')).toHaveLength(1);
    const used = await api(tokens.coordinator, 'GET', `/patients/${margaret}/visits/${visitId}/supplies`);
    expect(used.body.items).toHaveLength(3);
  });
});
