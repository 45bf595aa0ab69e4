/**
 * Incident report deadlines end to end on the local stack and its virtual clock: a high-severity
 * incident gets its one-time schedule `inc-<id>` at reportDueBy; when the clock passes it with the
 * incident still open, the org's coordinator gets `IncidentReportOverdue` (inbox + realtime
 * NotificationCreated) and the audit trail names the scheduler; an incident resolved before its
 * deadline loses its schedule and notifies nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, ON_MY_EVENT, RealtimeConnection, signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';
import type { Incident } from '../../schemas/assisted-living.js';
import type { Notification } from '../../schemas/notifications.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string;
let coordinatorFeed: RealtimeConnection;
let coordinatorSub: string;

const year = new Date().getUTCFullYear() + 1;
const T0 = `${year}-06-01T09:00:00.000Z`;
const HOUR = 3_600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const advance = async (to: string) => {
  const res = await fetch(`${stack.outputs.ApiUrl}/_local/clock`, { method: 'POST', body: JSON.stringify({ advanceTo: to }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; fired: Array<{ name: string; kind: string; scheduledTime: string; error?: string }> };
};
const schedules = async () =>
  ((await (await fetch(`${stack.outputs.ApiUrl}/_local/schedules`)).json()) as { items: Array<{ name: string; type: string; kind: string }> }).items;
const inbox = async (role: string) => (await api(tokens[role], 'GET', '/me/notifications?limit=100')).body.items as Notification[];
const report = async (severity: string, occurredAt: string) => {
  const res = await api(tokens.aide, 'POST', `/patients/${margaret}/incidents`, { category: 'fall', severity, details: 'Slipped in the bathroom.', occurredAt });
  expect(res.status).toBe(201);
  return res.body as Incident;
};

beforeAll(async () => {
  stack = await startTestStack('e2e-incident-deadlines');
  api = apiClient(stack.outputs);
  for (const role of ['aide', 'coordinator', 'family']) {
    const u = stack.demoUsers!.users.find((x) => x.role === role)!;
    tokens[role] = await signIn(stack.outputs, u.email, u.password);
  }
  margaret = stack.demoUsers!.patients[0]!.patientId;
  coordinatorFeed = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
  coordinatorSub = (await coordinatorFeed.start(ON_MY_EVENT)).id;
  await advance(T0);
});

afterAll(async () => {
  coordinatorFeed?.close();
  await stopTestStack(stack);
});

describe('incident report deadlines on the virtual clock', () => {
  it('notifies the coordinators of an incident still open at its deadline, once, and nobody of one resolved in time', async () => {
    // A: high severity, due in 24 h, left open. B: critical, due in 2 h, resolved within the hour.
    const occurredAt = plus(T0, -10 * 60_000);
    const a = await report('high', occurredAt);
    expect(a.reportDueBy).toBe(plus(occurredAt, 24 * HOUR));
    const b = await report('critical', occurredAt);
    expect(b.reportDueBy).toBe(plus(occurredAt, 2 * HOUR));
    const low = await report('low', occurredAt);
    expect(low.reportDueBy).toBeNull();
    await stack.settle();
    expect((await schedules()).filter((s) => s.name.startsWith('inc-')).sort((x, y) => x.name.localeCompare(y.name))).toEqual(
      [a.id, b.id].sort().map((id) => ({ name: `inc-${id}`, type: 'once', kind: 'incident-deadline' })),
    );

    await advance(plus(T0, HOUR));
    const resolved = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${b.id}`, { version: 1, status: 'resolved', resolution: 'Reported; no injury.' });
    expect(resolved.status).toBe(200);
    await stack.settle();
    // Resolving removes B's deadline; A's stands.
    expect((await schedules()).filter((s) => s.name.startsWith('inc-')).map((s) => s.name)).toEqual([`inc-${a.id}`]);

    // Past both deadlines: only A's fires.
    const { fired } = await advance(plus(a.reportDueBy!, 5 * 60_000));
    expect(fired.filter((f) => f.kind === 'incident-deadline')).toEqual([
      { name: `inc-${a.id}`, kind: 'incident-deadline', scheduledTime: new Date(Math.floor(Date.parse(a.reportDueBy!) / 60_000) * 60_000 + 60_000).toISOString().replace('.000Z', 'Z') },
    ]);
    await stack.settle();

    const overdue = (await inbox('coordinator')).filter((n) => n.type === 'IncidentReportOverdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toMatchObject({ entityType: 'Incident', entityId: a.id, patientId: margaret, title: 'Incident report overdue', readAt: null });
    const note = await coordinatorFeed.next(
      (m) => m.id === coordinatorSub && m.payload?.data?.onMyEvent?.type === 'NotificationCreated' && m.payload.data.onMyEvent.entityId === overdue[0]!.id,
    );
    expect(note.payload.data.onMyEvent).toMatchObject({ entityType: 'Notification' });
    // Coordinators only: not the reporting aide, not the family member on the care team.
    for (const role of ['aide', 'family']) expect((await inbox(role)).some((n) => n.type === 'IncidentReportOverdue')).toBe(false);

    // The mark is bookkeeping: A reads as before (same version, now overdue) and can still be updated with it.
    const listed = (await api(tokens.coordinator, 'GET', `/patients/${margaret}/incidents`)).body.items as Incident[];
    expect(listed.find((i) => i.id === a.id)).toMatchObject({ status: 'open', version: 1, overdue: true });
    expect(listed.find((i) => i.id === a.id)).not.toHaveProperty('overdueNotifiedAt');
    expect(listed.find((i) => i.id === b.id)).toMatchObject({ status: 'resolved', overdue: false });
    const investigate = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${a.id}`, { version: 1, status: 'investigating' });
    expect(investigate.status).toBe(200);

    // Nothing is left to fire, and a day later there is still exactly one overdue notification.
    expect((await schedules()).filter((s) => s.name.startsWith('inc-'))).toEqual([]);
    expect((await advance(plus(a.reportDueBy!, 24 * HOUR))).fired.filter((f) => f.kind === 'incident-deadline')).toEqual([]);
    await stack.settle();
    expect((await inbox('coordinator')).filter((n) => n.type === 'IncidentReportOverdue')).toHaveLength(1);

    // The audit trail: the mark, once, by the scheduler, as report_overdue.
    const rows = await queryAudit(
      stack.dataDir,
      `SELECT action, actor_id, source, request_id, entity_id, changed_fields FROM audit_events WHERE entity_type = 'Incident' AND action = 'report_overdue'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_id: 'scheduler', source: 'scheduler', entity_id: a.id, request_id: `inc-${a.id}@${fired.find((f) => f.kind === 'incident-deadline')!.scheduledTime}` });
  });
});
