/**
 * Issue 26, proved locally under faults: the audit store and the bus go down for longer than the
 * stream consumers' retries (the CDK mappings' counts: audit 10, events 5) while writes go on. The
 * poller sends the batches it gives up on to the failures queues, as Lambda does; the alarm shows at
 * `GET /_local/alarms`; the redrive (`POST /_local/redrive`, what `npm run redrive` calls) reads
 * them back from the stream and runs them through the consumers' own handlers. Then every change
 * is in the audit trail exactly once, and every change's event was published exactly once (late
 * for those written during the outage).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { LocalAlarm } from '../../local/operations.js';
import { EVENT_SOURCE } from '../../lambdas/shared/events/care-event.js';
import type { RedriveReport } from '../../lambdas/shared/streams/redrive.js';
import { pool, startTrustStack, type Org, type TrustStack } from './support/stack.js';

let t: TrustStack;
/** Every Patient event the bus delivered: `<patientId>@<version>` -> deliveries, and when. */
const published = new Map<string, number[]>();

beforeAll(async () => {
  t = await startTrustStack('stream-outage');
  t.stack.bus.addRule({
    name: 'test-patient-events',
    pattern: { source: [EVENT_SOURCE], 'detail-type': ['PatientCreated', 'PatientUpdated'] },
    target: async (event) => {
      const d = event.detail as { entityId: string; data: string | null };
      const version = (JSON.parse(d.data ?? '{}') as { version?: number }).version;
      const key = `${d.entityId}@${version}`;
      published.set(key, [...(published.get(key) ?? []), Date.now()]);
    },
  });
});

afterAll(async () => {
  if (t) Object.assign(t.stack.outages, { audit: false, events: false });
  await t?.stop();
});

const local = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const res = await fetch(`${t.stack.outputs.ApiUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const alarms = async () => ((await local('GET', '/_local/alarms')).body.alarms as LocalAlarm[]);
const state = (list: LocalAlarm[], name: string) => list.find((a) => a.name === name)?.state;

it('keeps the trail exactly once and every event once through an outage longer than the retries, an alarm and a redrive', async () => {
  const writers: Array<{ org: Org; role: 'coordinator' | 'admin' }> = [
    { org: 'own', role: 'coordinator' },
    { org: 'other', role: 'admin' },
  ];
  const subjects: Array<{ org: Org; role: 'coordinator' | 'admin'; patientId: string; version: number }> = [];
  const expected = new Map<string, string>(); // request id -> actor
  const versions: string[] = []; // `<patientId>@<version>` of every write
  const duringOutage = new Set<string>();
  let writes = 0;
  const write = async (s: (typeof subjects)[number], phase: string, outage: boolean) => {
    const res = await t.call(t.token(s.role, s.org), 'PATCH', `/patients/${s.patientId}`, { version: s.version, room: `${phase}-${writes}` });
    expect(res.status).toBe(200);
    s.version = res.body.version;
    expected.set(res.headers['x-request-id']!, t.user(s.role, s.org).userId);
    versions.push(`${s.patientId}@${s.version}`);
    if (outage) duringOutage.add(`${s.patientId}@${s.version}`);
    writes += 1;
  };

  // Before: patients and a few changes, all delivered.
  for (let i = 0; i < 6; i++) {
    const w = writers[i % writers.length]!;
    const created = await t.call(t.token(w.role, w.org), 'POST', '/patients', { displayName: `Outage ${i}`, medicalRecordNumber: `OUT-${i}` });
    expect(created.status).toBe(201);
    expected.set(created.headers['x-request-id']!, t.user(w.role, w.org).userId);
    versions.push(`${created.body.id}@${created.body.version}`);
    writes += 1;
    subjects.push({ ...w, patientId: created.body.id, version: created.body.version });
  }
  await pool(subjects, subjects.length, (s) => write(s, 'before', false));
  await t.stack.settle(60_000);
  expect((await alarms()).every((a) => a.state === 'OK')).toBe(true);

  // The outage: every audit put and every bus publish fails, for longer than the retries; writes go on.
  Object.assign(t.stack.outages, { audit: true, events: true });
  const outageStarted = Date.now();
  let seen: LocalAlarm[] = [];
  for (;;) {
    await pool(subjects, subjects.length, (s) => write(s, 'outage', true));
    seen = await alarms();
    const depth = (name: string) => seen.find((a) => a.name === name)?.value ?? 0;
    if (depth('StreamAuditFailuresAlarm') >= 2 && depth('StreamEventsFailuresAlarm') >= 2) break;
    if (Date.now() - outageStarted > 200_000) throw new Error(`no alarm after 200 s of outage: ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const outageMs = Date.now() - outageStarted;
  expect(state(seen, 'StreamAuditFailuresAlarm')).toBe('ALARM');
  expect(state(seen, 'StreamEventsFailuresAlarm')).toBe('ALARM');
  Object.assign(t.stack.outages, { audit: false, events: false });
  const outageEnded = Date.now();

  // After: writes go on and are delivered at once; the failed batches wait in their queues.
  await pool(subjects, subjects.length, (s) => write(s, 'after', false));
  await t.stack.settle(120_000);
  const before = await alarms();
  expect(state(before, 'StreamAuditFailuresAlarm')).toBe('ALARM');
  expect(state(before, 'StreamEventsFailuresAlarm')).toBe('ALARM');
  const queued = { audit: t.stack.failureQueues.audit.depth(), events: t.stack.failureQueues.events.depth() };
  const missingBeforeRedrive = versions.filter((v) => !published.has(v)).length;
  expect(missingBeforeRedrive).toBeGreaterThan(0); // the outage really lost them until the redrive

  // The redrive: both consumers' queues, through their own handlers.
  const redriven = await local('POST', '/_local/redrive', {});
  expect(redriven.status).toBe(200);
  const reports = redriven.body.reports as RedriveReport[];
  for (const r of reports) {
    expect(r.unreadable).toEqual([]);
    expect(r.failed).toEqual([]);
    expect(r.invalid).toEqual([]);
  }
  const auditReport = reports.find((r) => r.consumer === 'audit')!;
  const eventsReport = reports.find((r) => r.consumer === 'events')!;
  expect(auditReport.redriven).toHaveLength(queued.audit);
  expect(eventsReport.redriven).toHaveLength(queued.events);
  await t.stack.settle(60_000);
  expect((await alarms()).every((a) => a.state === 'OK')).toBe(true);
  expect(t.stack.failureQueues.audit.depth()).toBe(0);
  expect(t.stack.failureQueues.events.depth()).toBe(0);

  // The trail: every change exactly once, with its actor.
  const rows = (await queryAudit(
    t.stack.dataDir,
    `SELECT request_id, actor_id FROM audit_events WHERE entity_type = 'Patient' AND source = 'api'`,
  )) as Array<{ request_id: string; actor_id: string }>;
  const byRequest = new Map<string, string[]>();
  for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row.actor_id]);
  const losses = [...expected.keys()].filter((id) => !byRequest.has(id)).length;
  const duplicates = [...byRequest.values()].filter((r) => r.length > 1).length;
  const wrongActor = [...expected].filter(([id, actor]) => byRequest.get(id)?.some((a) => a !== actor)).length;
  const duplicateEvents = await queryAudit(t.stack.dataDir, 'SELECT event_id FROM audit_events GROUP BY event_id HAVING count(*) > 1');

  // The events: every change's event once; those of the outage late.
  const eventLosses = versions.filter((v) => !published.has(v)).length;
  const eventDuplicates = versions.filter((v) => (published.get(v)?.length ?? 0) > 1).length;
  const late = [...duringOutage].filter((v) => (published.get(v)?.[0] ?? 0) >= outageEnded).length;

  console.log(
    `[trust] stream outage: writes=${writes} outageMs=${outageMs} writesDuringOutage=${duringOutage.size} ` +
      `queued(audit=${queued.audit}, events=${queued.events}) redrivenRecords(audit=${auditReport.redriven.reduce((n, r) => n + r.records, 0)}, events=${eventsReport.redriven.reduce((n, r) => n + r.records, 0)}) ` +
      `auditRecords=${rows.length} duplicates=${duplicates} losses=${losses} wrongActor=${wrongActor} ` +
      `events=${versions.length - eventLosses} eventDuplicates=${eventDuplicates} eventLosses=${eventLosses} lateEvents=${late} missingBeforeRedrive=${missingBeforeRedrive}`,
  );
  expect(losses).toBe(0);
  expect(duplicates).toBe(0);
  expect(wrongActor).toBe(0);
  expect(duplicateEvents).toEqual([]);
  expect(rows).toHaveLength(writes);
  expect(eventLosses).toBe(0);
  expect(eventDuplicates).toBe(0);
  expect(late).toBe(duringOutage.size);
});
