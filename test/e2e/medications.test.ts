/**
 * Medication adherence as a client uses it, on the local stack with its virtual clock: a
 * twice-daily medication for the first demo patient, three days of doses in seconds, some
 * confirmed, some missed; doses, alerts, notifications, realtime events, adherence, audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';
import type { Dose } from '../../schemas/medications.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let walter: string;
let coordinatorFeed: RealtimeConnection;
let patientFeed: RealtimeConnection;
let patientSub: string;
let coordinatorSub: string;

// A January week (no daylight-saving change): 08:00 and 20:00 in New York are 13:00Z and 01:00Z.
const year = new Date().getUTCFullYear() + 1;
const T0 = `${year}-01-10T12:00:00.000Z`; // 07:00 local, before the first slot
const at = (day: number, hhmm: string) => `${year}-01-${String(day).padStart(2, '0')}T${hhmm}:00.000Z`;
let medicationId: string;

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; fired: Array<{ name: string; kind: string; scheduledTime: string; error?: string }> };
};
const schedules = async () =>
  ((await (await fetch(`${stack.outputs.ApiUrl}/_local/schedules`)).json()) as { items: Array<{ name: string; type: string; kind: string }> }).items;
const doses = async (token = tokens.coordinator!) =>
  (await api(token, 'GET', `/patients/${margaret}/doses?from=${T0}&to=${at(14, '00:00')}&limit=100`)).body.items as Dose[];

beforeAll(async () => {
  stack = await startTestStack('e2e-medications');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  walter = stack.demoUsers!.patients[1]!.patientId;
  coordinatorFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
  coordinatorSub = (await coordinatorFeed.start(ON_PATIENT_EVENT, { patientId: margaret })).id;
  patientFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.patient!);
  patientSub = (await patientFeed.start(ON_MY_EVENT)).id;
  await advance(T0);
});

afterAll(async () => {
  coordinatorFeed?.close();
  patientFeed?.close();
  await stopTestStack(stack);
});

describe('medication adherence on the virtual clock', () => {
  it('tells the time and refuses to go back', async () => {
    // Real time keeps running underneath the offset.
    const { now } = (await (await fetch(`${stack.outputs.ApiUrl}/_local/clock`)).json()) as { now: string };
    expect(Date.parse(now) - Date.parse(T0)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(now) - Date.parse(T0)).toBeLessThan(60_000);
    const back = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: `${year - 1}-01-01T00:00:00Z` }) });
    expect(back.status).toBe(409);
    expect((await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: '{"advanceTo":"soon"}' })).status).toBe(400);
  });

  it('creates a twice-daily medication: one recurring schedule per time slot', async () => {
    const body = {
      name: 'Metformin',
      dosage: '500 mg',
      instructions: 'With food',
      schedule: { times: ['08:00', '20:00'], timezone: 'America/New_York', startDate: `${year}-01-10` },
    };
    expect((await api(tokens.aide, 'POST', `/patients/${margaret}/medications`, body)).status).toBe(403);
    expect((await api(tokens.compliance, 'POST', `/patients/${margaret}/medications`, body)).status).toBe(403);
    expect((await api(tokens['admin@other'], 'POST', `/patients/${margaret}/medications`, body)).status).toBe(404);
    expect((await api(tokens.clinician, 'POST', `/patients/${walter}/medications`, body)).status).toBe(404); // not on his team
    const bad = await api(tokens.clinician, 'POST', `/patients/${margaret}/medications`, { ...body, graceMinutes: 5, schedule: { ...body.schedule, times: ['8am'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.graceMinutes']));

    const created = await api(tokens.clinician, 'POST', `/patients/${margaret}/medications`, body, { 'idempotency-key': 'med-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', graceMinutes: 60, version: 1, patientId: margaret, name: 'Metformin' });
    medicationId = created.body.id;
    const again = await api(tokens.clinician, 'POST', `/patients/${margaret}/medications`, body, { 'idempotency-key': 'med-1' });
    expect(again.body.id).toBe(medicationId);

    const list = await api(tokens.family, 'GET', `/patients/${margaret}/medications`);
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual([medicationId]);
    const recurring = (await schedules()).filter((s) => s.type === 'recurring');
    expect(recurring.map((s) => s.name).sort()).toEqual([`med-${medicationId}-0800`, `med-${medicationId}-2000`]);
    console.log(`[figures] schedules per active medication (2 times a day): ${recurring.length} recurring`);
  });

  it('makes a dose due at 08:00 local, reminds the patient, and sets one missed-dose check for it', async () => {
    const { fired } = await advance(at(10, '13:05'));
    expect(fired.map((f) => `${f.kind}@${f.scheduledTime}`)).toEqual([`dose-slot@${year}-01-10T13:00:00Z`]);
    expect(fired.every((f) => !f.error)).toBe(true);
    const [dose] = await doses();
    expect(dose).toMatchObject({ medicationId, scheduledFor: at(10, '13:00'), status: 'due', late: false });
    const perDose = (await schedules()).filter((s) => s.kind === 'dose-missed-check');
    expect(perDose.map((s) => s.name)).toEqual([`miss-${dose!.id}`]);
    console.log(`[figures] schedules per due dose: ${perDose.length} one-time missed-dose check (deleted once it runs or the dose is confirmed)`);

    await stack.settle();
    const due = await coordinatorFeed.next((m) => m.id === coordinatorSub && m.payload?.data?.onPatientEvent?.type === 'DoseDue');
    expect(due.payload.data.onPatientEvent).toMatchObject({ patientId: margaret, entityType: 'Dose', entityId: dose!.id });
    const note = await patientFeed.next((m) => m.id === patientSub && m.payload?.data?.onMyEvent?.type === 'NotificationCreated');
    expect(note.payload.data.onMyEvent.entityType).toBe('Notification');
    const inbox = await api(tokens.patient, 'GET', '/me/notifications');
    expect(inbox.body.items.map((n: { title: string }) => n.title)).toContain('Time for your medication');

    const taken = await api(tokens.patient, 'POST', `/patients/${margaret}/doses/${dose!.id}/confirm`, { status: 'taken' });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'taken', late: false, confirmedBy: stack.demoUsers!.users.find((u) => u.role === 'patient')!.userId });
    expect((await schedules()).filter((s) => s.kind === 'dose-missed-check')).toEqual([]);
    const twice = await api(tokens.patient, 'POST', `/patients/${margaret}/doses/${dose!.id}/confirm`, { status: 'taken' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('invalid_transition');
  });

  it('takes skipped and refused confirmations with a reason only, from the care team', async () => {
    await advance(at(11, '01:05'));
    const evening = (await doses()).find((d) => d.scheduledFor === at(11, '01:00'))!;
    const noReason = await api(tokens.family, 'POST', `/patients/${margaret}/doses/${evening.id}/confirm`, { status: 'skipped' });
    expect(noReason.status).toBe(400);
    expect((await api(tokens.compliance, 'POST', `/patients/${margaret}/doses/${evening.id}/confirm`, { status: 'taken' })).status).toBe(403);
    expect((await api(tokens['coordinator@other'], 'POST', `/patients/${margaret}/doses/${evening.id}/confirm`, { status: 'taken' })).status).toBe(404);
    const skipped = await api(tokens.family, 'POST', `/patients/${margaret}/doses/${evening.id}/confirm`, { status: 'skipped', reason: 'Asleep early' });
    expect(skipped.body).toMatchObject({ status: 'skipped', reason: 'Asleep early', late: false });

    await advance(at(11, '13:30'));
    const morning = (await doses()).find((d) => d.scheduledFor === at(11, '13:00'))!;
    const refused = await api(tokens.aide, 'POST', `/patients/${margaret}/doses/${morning.id}/confirm`, { status: 'refused', reason: 'Nausea' });
    expect(refused.body).toMatchObject({ status: 'refused', reason: 'Nausea' });
  });

  it('marks doses still due after the grace period missed, alerts, and keeps a late confirmation', async () => {
    const { fired } = await advance(at(13, '12:00'));
    expect(fired.filter((f) => f.kind === 'dose-slot')).toHaveLength(3);
    expect(fired.filter((f) => f.kind === 'dose-missed-check')).toHaveLength(3);
    const all = await doses();
    expect(all.map((d) => d.scheduledFor)).toEqual([at(10, '13:00'), at(11, '01:00'), at(11, '13:00'), at(12, '01:00'), at(12, '13:00'), at(13, '01:00')]);
    expect(all.map((d) => d.status)).toEqual(['taken', 'skipped', 'refused', 'missed', 'missed', 'missed']);

    const late = await api(tokens.patient, 'POST', `/patients/${margaret}/doses/${all[4]!.id}/confirm`, { status: 'taken', takenAt: at(12, '15:00') });
    expect(late.body).toMatchObject({ status: 'taken', late: true, takenAt: at(12, '15:00') });

    const alerts = await api(tokens.family, 'GET', `/patients/${margaret}/alerts`);
    expect(alerts.body.items.map((a: { doseId: string }) => a.doseId)).toEqual([all[5]!.id, all[4]!.id, all[3]!.id]);
    expect(alerts.body.items[0]).toMatchObject({ medicationId, scheduledFor: at(13, '01:00') });
    expect(alerts.body.items[0].alertedAt.slice(0, 16)).toBe(at(13, '02:00').slice(0, 16)); // at the end of the grace period

    await stack.settle();
    const events = coordinatorFeed.drainData(coordinatorSub).map((m) => m.payload.data.onPatientEvent.type);
    expect(events.filter((t: string) => t === 'DoseDue')).toHaveLength(5); // the first was consumed above
    expect(events.filter((t: string) => t === 'DoseMissed')).toHaveLength(3);
    const titles = async (role: string) =>
      ((await api(tokens[role], 'GET', '/me/notifications?limit=100')).body.items as Array<{ title: string }>).map((n) => n.title);
    const patientTitles = await titles('patient');
    expect(patientTitles.filter((t) => t === 'Time for your medication')).toHaveLength(6);
    expect(patientTitles.filter((t) => t === 'Missed dose')).toHaveLength(3);
    expect((await titles('family')).filter((t) => t === 'Missed dose')).toHaveLength(3);
    expect((await titles('clinician')).filter((t) => t === 'Missed dose')).toHaveLength(3);
  });

  it('computes adherence over the window: late counts as taken and in late', async () => {
    const out = await api(tokens.family, 'GET', `/patients/${margaret}/adherence?from=${T0}&to=${at(13, '12:00')}`);
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ taken: 2, late: 1, skipped: 1, refused: 1, missed: 2, rate: 0.3333 });
    expect(out.body.byMedication).toEqual([{ medicationId, name: 'Metformin', taken: 2, late: 1, skipped: 1, refused: 1, missed: 2, rate: 0.3333 }]);
    expect((await api(tokens.compliance, 'GET', `/patients/${margaret}/adherence`)).status).toBe(403);
    expect((await api(tokens['admin@other'], 'GET', `/patients/${margaret}/adherence`)).status).toBe(404);
  });

  it('pausing removes the schedules at once, resuming brings them back', async () => {
    const current = (await api(tokens.coordinator, 'GET', `/patients/${margaret}/medications`)).body.items[0];
    const paused = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/medications/${medicationId}`, { version: current.version, status: 'paused' });
    expect(paused.body).toMatchObject({ status: 'paused', version: current.version + 1 });
    expect((await schedules()).filter((s) => s.type === 'recurring')).toEqual([]);
    const stale = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/medications/${medicationId}`, { version: current.version, status: 'active' });
    expect(stale.body.error.code).toBe('version_conflict');
    await advance(at(14, '12:00'));
    expect((await doses()).length).toBe(6);

    const resumed = await api(tokens.patient, 'PATCH', `/patients/${margaret}/medications/${medicationId}`, {
      version: paused.body.version,
      status: 'active',
      schedule: { times: ['09:00'], timezone: 'America/New_York', startDate: `${year}-01-10` },
    });
    expect(resumed.status).toBe(200);
    expect((await schedules()).filter((s) => s.type === 'recurring').map((s) => s.name)).toEqual([`med-${medicationId}-0900`]);
    const stopped = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/medications/${medicationId}`, { version: resumed.body.version, status: 'stopped' });
    expect(stopped.body.status).toBe('stopped');
    expect((await schedules()).filter((s) => s.type === 'recurring')).toEqual([]);
    expect((await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/medications/${medicationId}`, { version: stopped.body.version, status: 'active' })).body.error.code).toBe('invalid_transition');
  });

  it('logs as-needed doses up to the daily maximum in the patient local day', async () => {
    const prn = await api(tokens.coordinator, 'POST', `/patients/${margaret}/medications`, {
      name: 'Paracetamol', dosage: '1 g', schedule: { asNeeded: true, maxDosesPerDay: 2 },
    });
    expect(prn.status).toBe(201);
    expect((await schedules()).filter((s) => s.type === 'recurring')).toEqual([]); // as-needed: no reminders
    const log = (takenAt: string) => api(tokens.aide, 'POST', `/patients/${margaret}/doses`, { medicationId: prn.body.id, takenAt, reason: 'Headache' });
    // 04:00Z on the 14th is 23:00 on the 13th in New York: another local day than 10:00Z.
    expect((await log(at(14, '04:00'))).status).toBe(201);
    expect((await log(at(14, '10:00'))).status).toBe(201);
    expect((await log(at(14, '11:00'))).status).toBe(201);
    const over = await log(at(14, '11:30'));
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('conflict');
    expect((await log(at(14, '03:00'))).status).toBe(201); // the 13th's second
    expect((await log(at(14, '02:00'))).status).toBe(409); // the 13th's third
    expect((await log(at(15, '11:00'))).status).toBe(400); // in the future
  });

  it('records every change with its actor: the scheduler for doses and alerts, people for confirmations', async () => {
    await stack.settle();
    const rows = await queryAudit(
      stack.dataDir,
      `SELECT action, entity_type, actor_id, source, patient_id FROM audit_events WHERE entity_type IN ('Dose', 'MissedDoseAlert', 'Medication') ORDER BY "at"`,
    );
    const count = (pred: (r: Record<string, unknown>) => boolean) => rows.filter(pred).length;
    expect(count((r) => r.entity_type === 'Dose' && r.action === 'create' && r.actor_id === 'scheduler' && r.source === 'scheduler')).toBe(6);
    expect(count((r) => r.entity_type === 'Dose' && r.action === 'miss' && r.actor_id === 'scheduler')).toBe(3);
    expect(count((r) => r.entity_type === 'MissedDoseAlert' && r.action === 'create' && r.source === 'scheduler')).toBe(3);
    expect(count((r) => r.entity_type === 'Dose' && r.action === 'confirm' && r.source === 'api')).toBe(4);
    expect(count((r) => r.entity_type === 'Medication' && r.action === 'pause')).toBe(1);
    expect(rows.every((r) => r.patient_id === margaret)).toBe(true);
  });
});
