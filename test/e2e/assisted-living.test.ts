/**
 * Assisted living end to end on the local stack, as clients see it: an aide on the care team reports
 * a fall; the coordinator and the family member are notified (inbox and realtime), allowed
 * subscribers get IncidentReported; the coordinator investigates and resolves; the dashboard
 * follows; a resolved incident stays resolved; compliance and another org are kept out; the audit
 * trail names every step's actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection, signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string; // aide, clinician and family are on her care team

const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;

beforeAll(async () => {
  stack = await startTestStack('e2e-assisted-living');
  api = apiClient(stack.outputs);
  for (const role of ['aide', 'coordinator', 'family', 'compliance', 'clinician']) tokens[role] = await signIn(stack.outputs, user(role).email, user(role).password);
  const otherAdmin = stack.demoUsers!.otherOrg.users.find((u) => u.role === 'admin')!;
  tokens['admin@other'] = await signIn(stack.outputs, otherAdmin.email, otherAdmin.password);
  margaret = stack.demoUsers!.patients[0]!.patientId;
});

afterAll(async () => {
  await stopTestStack(stack);
});

describe('an incident, from report to resolution', () => {
  it('reports, notifies, streams, investigates, resolves, keeps the dashboard exact, refuses outsiders, and audits every step', async () => {
    const coordinatorRt = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.coordinator!);
    const familyRt = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.family!);
    const aideRt = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.aide!);
    const outsiderRt = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens['admin@other']!);
    try {
      const coordMine = await coordinatorRt.start(ON_MY_EVENT);
      const familyMine = await familyRt.start(ON_MY_EVENT);
      const familyPatient = await familyRt.start(ON_PATIENT_EVENT, { patientId: margaret });
      const aideMine = await aideRt.start(ON_MY_EVENT);
      for (const s of [coordMine, familyMine, familyPatient, aideMine]) expect(s.ack.type).toBe('start_ack');
      expect((await outsiderRt.start(ON_PATIENT_EVENT, { patientId: margaret })).ack.type).toBe('error');

      // The aide on the care team reports a fall (critical: due in 2 hours).
      const occurredAt = new Date(Date.now() - 10 * 60_000).toISOString();
      const reported = await api(tokens.aide, 'POST', `/patients/${margaret}/incidents`, {
        category: 'fall', severity: 'critical', details: 'Found on the floor beside the bed; conscious, hip pain.', occurredAt, location: 'Room 204',
      }, { 'Idempotency-Key': 'fall-204-1' });
      expect(reported.status).toBe(201);
      const incident = reported.body;
      expect(incident).toMatchObject({
        status: 'open', reportedBy: user('aide').userId, patientId: margaret, overdue: false,
        reportDueBy: new Date(Date.parse(occurredAt) + 2 * 3600_000).toISOString(),
      });
      const reportRequest = reported.headers.get('x-request-id');

      // Realtime: IncidentReported to the family member's patient subscription (ids, no details).
      const onPatient = await familyRt.next((m) => m.id === familyPatient.id && m.type === 'data' && m.payload.data.onPatientEvent.type === 'IncidentReported');
      expect(onPatient.payload.data.onPatientEvent).toMatchObject({ entityType: 'Incident', entityId: incident.id, patientId: margaret });
      expect(JSON.stringify(onPatient.payload)).not.toContain('hip pain');

      // Notifications: the coordinator and the family member (inbox + NotificationCreated); not the reporter.
      for (const [rt, sub] of [[coordinatorRt, coordMine], [familyRt, familyMine]] as const) {
        const created = await rt.next((m) => m.id === sub.id && m.type === 'data' && m.payload.data.onMyEvent.type === 'NotificationCreated');
        expect(created.payload.data.onMyEvent).toMatchObject({ entityType: 'Notification', patientId: null });
      }
      const coordInbox = await api(tokens.coordinator, 'GET', '/me/notifications?unread=true');
      expect(coordInbox.status).toBe(200);
      expect(coordInbox.body.unreadCount).toBe(1);
      expect(coordInbox.body.items[0]).toMatchObject({ type: 'IncidentReported', entityType: 'Incident', entityId: incident.id, patientId: margaret, readAt: null });
      const familyInbox = await api(tokens.family, 'GET', '/me/notifications');
      expect(familyInbox.body.items.map((n: { entityId: unknown }) => n.entityId)).toEqual([incident.id]);
      await stack.settle();
      expect((await api(tokens.aide, 'GET', '/me/notifications')).body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
      expect(aideRt.drainData(aideMine.id).map((m) => m.payload.data.onMyEvent.type)).not.toContain('NotificationCreated');

      // The coordinator reads the notification (twice: the second is a no-op).
      const noteId = coordInbox.body.items[0].id;
      const read = await api(tokens.coordinator, 'POST', `/me/notifications/${noteId}/read`);
      expect(read.status).toBe(200);
      expect((await api(tokens.coordinator, 'POST', `/me/notifications/${noteId}/read`)).status).toBe(200);
      expect((await api(tokens.coordinator, 'GET', '/me/notifications')).body.unreadCount).toBe(0);
      const readRequest = read.headers.get('x-request-id');

      // Dashboard after the report.
      const dash1 = await api(tokens.family, 'GET', `/patients/${margaret}/dashboard`);
      expect(dash1.body).toMatchObject({ incidentCount: 1, openIncidentCount: 1, lastIncidentAt: occurredAt, statusOverview: { open: 1, investigating: 0, resolved: 0 } });

      // The coordinator investigates, then resolves.
      const investigating = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${incident.id}`, { version: 1, status: 'investigating' });
      expect(investigating.status).toBe(200);
      const investigateRequest = investigating.headers.get('x-request-id');
      const resolved = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${incident.id}`, {
        version: 2, status: 'resolved', resolution: 'X-ray clear; bed rail fitted.', notifiedParties: ['Family', 'State licensing'],
      });
      expect(resolved.status).toBe(200);
      expect(resolved.body).toMatchObject({ status: 'resolved', version: 3, resolvedBy: user('coordinator').userId });
      const resolveRequest = resolved.headers.get('x-request-id');
      const updated = await familyRt.next((m) => m.id === familyPatient.id && m.type === 'data' && m.payload.data.onPatientEvent.type === 'IncidentUpdated');
      expect(updated.payload.data.onPatientEvent.entityId).toBe(incident.id);

      const dash2 = await api(tokens.family, 'GET', `/patients/${margaret}/dashboard`);
      expect(dash2.body).toMatchObject({ incidentCount: 1, openIncidentCount: 0, statusOverview: { open: 0, investigating: 0, resolved: 1 } });

      // Resolved is final.
      const reopen = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}/incidents/${incident.id}`, { version: 3, status: 'investigating' });
      expect(reopen.status).toBe(409);
      expect(reopen.body.error.code).toBe('invalid_transition');

      // Compliance: 403; another org's admin: 404.
      expect((await api(tokens.compliance, 'GET', `/patients/${margaret}/incidents`)).status).toBe(403);
      expect((await api(tokens.compliance, 'GET', '/incidents')).status).toBe(403);
      expect((await api(tokens['admin@other'], 'GET', `/patients/${margaret}/incidents`)).status).toBe(404);
      expect((await api(tokens['admin@other'], 'PATCH', `/patients/${margaret}/incidents/${incident.id}`, { version: 3, notifiedParties: ['x'] })).status).toBe(404);
      expect((await api(tokens['admin@other'], 'GET', '/incidents')).body.items).toEqual([]);

      // The family member was notified of both changes; the coordinator (who made them) was not.
      await stack.settle();
      const familyAfter = await api(tokens.family, 'GET', '/me/notifications');
      expect(familyAfter.body.items.map((n: { type: unknown }) => n.type)).toEqual(['IncidentUpdated', 'IncidentUpdated', 'IncidentReported']);
      expect((await api(tokens.coordinator, 'GET', '/me/notifications')).body.items).toHaveLength(1);
      expect((await api(tokens.aide, 'GET', '/me/notifications')).body.unreadCount).toBe(2);

      // The audit trail: every step with its actor.
      const rows = await eventually(async () => {
        const found = await queryAudit(
          stack.dataDir,
          `SELECT "at", actor_id, action, entity_type, entity_id, request_id FROM audit_events
           WHERE request_id IN ('${reportRequest}', '${readRequest}', '${investigateRequest}', '${resolveRequest}') ORDER BY "at"`,
        );
        return found.length >= 4 ? found : undefined;
      });
      const step = (requestId: string | null) => rows.filter((r) => r.request_id === requestId).map((r) => [r.actor_id, r.action, r.entity_type]);
      expect(step(reportRequest)).toEqual([[user('aide').userId, 'create', 'Incident']]);
      expect(step(investigateRequest)).toEqual([[user('coordinator').userId, 'investigate', 'Incident']]);
      expect(step(resolveRequest)).toEqual([[user('coordinator').userId, 'resolve', 'Incident']]);
      expect(step(readRequest)).toEqual([[user('coordinator').userId, 'mark_read', 'Notification']]);
    } finally {
      for (const c of [coordinatorRt, familyRt, aideRt, outsiderRt]) c.close();
    }
  });
});
