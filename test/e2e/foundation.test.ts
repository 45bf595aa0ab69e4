/**
 * The platform foundation as a client uses it: sign in through the Cognito API, call the REST API,
 * subscribe over AppSync's realtime protocol, query the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { LocalStack } from '../../local/stack.js';
import type { DemoUser } from '../../local/seed.js';
import { apiClient, eventually, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection, signIn } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string; // the first demo patient: aide, clinician and family are on her care team
let walter: string; // a patient nobody but staff may see

const user = (role: string, org: 'first' | 'other' = 'first'): DemoUser => {
  const users = org === 'first' ? stack.demoUsers!.users : stack.demoUsers!.otherOrg.users;
  return users.find((u) => u.role === role)!;
};

beforeAll(async () => {
  stack = await startTestStack('e2e-foundation');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  walter = stack.demoUsers!.patients[1]!.patientId;
});

afterAll(() => stopTestStack(stack));

describe('identity and people', () => {
  it('answers health without a token and refuses everything else without one', async () => {
    const health = await api(undefined, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toBeTruthy();

    const me = await api(undefined, 'GET', '/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('unauthenticated');
    expect((await api('not-a-token', 'GET', '/me')).status).toBe(401);
  });

  it('tells a signed-in user who they are', async () => {
    const me = await api(tokens.coordinator, 'GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      userId: user('coordinator').userId,
      orgId: stack.demoUsers!.orgId,
      roles: ['coordinator'],
      email: user('coordinator').email,
    });
  });

  it('lets staff see every patient of their org, care-team members theirs, a patient themself', async () => {
    const staff = await api(tokens.coordinator, 'GET', '/patients');
    expect(staff.status).toBe(200);
    expect(staff.body.items.map((p: { id: string }) => p.id).sort()).toEqual([margaret, walter].sort());

    const family = await api(tokens.family, 'GET', '/patients');
    expect(family.body.items.map((p: { id: string }) => p.id)).toEqual([margaret]);
    expect((await api(tokens.family, 'GET', `/patients/${walter}`)).status).toBe(404);

    const self = await api(tokens.patient, 'GET', '/patients');
    expect(self.body.items.map((p: { id: string }) => p.id)).toEqual([margaret]);
    expect((await api(tokens.patient, 'GET', `/patients/${walter}`)).status).toBe(404);

    expect((await api(tokens.compliance, 'GET', '/patients')).status).toBe(403);
  });

  it('keeps organisations apart: another org answers 404, never 403', async () => {
    const other = await api(tokens['admin@other'], 'GET', `/patients/${margaret}`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    const list = await api(tokens['admin@other'], 'GET', '/patients');
    expect(list.body.items.map((p: { id: string }) => p.id)).not.toContain(margaret);
    expect((await api(tokens['admin@other'], 'PUT', `/patients/${margaret}/care-team/${user('aide', 'other').userId}`, { relationship: 'aide' })).status).toBe(404);
  });

  it('creates users who can sign in at once, and refuses a duplicate email', async () => {
    const created = await api(tokens.admin, 'POST', '/users', { email: 'new.aide@sunrise.example', displayName: 'New Aide', role: 'aide' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new.aide@sunrise.example', role: 'aide' });
    const token = await signIn(stack.outputs, 'new.aide@sunrise.example', created.body.password);
    expect((await api(token, 'GET', '/me')).body.roles).toEqual(['aide']);

    const again = await api(tokens.admin, 'POST', '/users', { email: 'new.aide@sunrise.example', displayName: 'Again', role: 'aide' });
    expect(again.status).toBe(409);
    expect((await api(tokens.coordinator, 'POST', '/users', { email: 'x@sunrise.example', displayName: 'X', role: 'aide' })).status).toBe(403);

    const aides = await api(tokens.coordinator, 'GET', '/users?role=aide');
    expect(aides.body.items.map((u: { email: string }) => u.email)).toContain('new.aide@sunrise.example');
  });

  it('validates bodies strictly and writes nothing on bad input', async () => {
    const bad = await api(tokens.admin, 'POST', '/patients', { displayName: '', medicalRecordNumber: 'SR-9', id: 'mine' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['body.displayName', 'body.id']));
    const malformed = await api(tokens.admin, 'POST', '/patients', '{"displayName":');
    expect(malformed.status).toBe(400);
    const list = await api(tokens.admin, 'GET', '/patients?limit=100');
    expect(list.body.items.map((p: { medicalRecordNumber: string }) => p.medicalRecordNumber)).not.toContain('SR-9');
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const body = { displayName: 'Rosa Idem', medicalRecordNumber: 'SR-3001' };
    const first = await api(tokens.coordinator, 'POST', '/patients', body, { 'idempotency-key': 'k-1' });
    const second = await api(tokens.coordinator, 'POST', '/patients', body, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const other = await api(tokens.coordinator, 'POST', '/patients', { ...body, room: '9' }, { 'idempotency-key': 'k-1' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const dup = await api(tokens.coordinator, 'POST', '/patients', { displayName: 'Other', medicalRecordNumber: 'sr-3001' });
    expect(dup.status).toBe(409);
  });

  it('rejects a PATCH with a stale version and changes nothing', async () => {
    const current = (await api(tokens.coordinator, 'GET', `/patients/${walter}`)).body;
    const ok = await api(tokens.coordinator, 'PATCH', `/patients/${walter}`, { version: current.version, room: '120' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ room: '120', version: current.version + 1 });
    const stale = await api(tokens.coordinator, 'PATCH', `/patients/${walter}`, { version: current.version, room: '999' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect((await api(tokens.coordinator, 'GET', `/patients/${walter}`)).body.room).toBe('120');
  });
});

describe('realtime', () => {
  it('delivers PatientUpdated to an allowed subscriber, refuses others at start, and ends access with the care team', async () => {
    const family = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.family!);
    const outsider = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens['admin@other']!);
    try {
      const sub = await family.start(ON_PATIENT_EVENT, { patientId: margaret });
      expect(sub.ack.type).toBe('start_ack');
      const mine = await family.start(ON_MY_EVENT);
      expect(mine.ack.type).toBe('start_ack');
      const refused = await outsider.start(ON_PATIENT_EVENT, { patientId: margaret });
      expect(refused.ack.type).toBe('error');
      const noTeam = await family.start(ON_PATIENT_EVENT, { patientId: walter });
      expect(noTeam.ack.type).toBe('error');

      const current = (await api(tokens.coordinator, 'GET', `/patients/${margaret}`)).body;
      const patched = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}`, { version: current.version, room: 'Garden Wing' });
      expect(patched.status).toBe(200);

      const data = await family.next((m) => m.id === sub.id && m.type === 'data' && m.payload.data.onPatientEvent.type === 'PatientUpdated');
      const event = data.payload.data.onPatientEvent;
      expect(event).toMatchObject({ patientId: margaret, orgId: stack.demoUsers!.orgId, entityType: 'Patient', entityId: margaret });
      expect(JSON.parse(event.data).changedFields).toEqual(['room']);
      // Ids and field names only, never values (a value no id or timestamp can contain by chance).
      expect(JSON.stringify(event)).not.toContain('Garden');

      // Removed from the care team: the subscription ends and the REST API answers 404.
      const removed = await api(tokens.coordinator, 'DELETE', `/patients/${margaret}/care-team/${user('family').userId}`);
      expect(removed.status).toBe(204);
      const gone = await family.next((m) => m.type === 'data' && m.id === mine.id);
      expect(gone.payload.data.onMyEvent.type).toBe('CareTeamMemberRemoved');
      await family.next((m) => m.id === sub.id && (m.type === 'complete' || m.type === 'error'));
      expect((await api(tokens.family, 'GET', `/patients/${margaret}`)).status).toBe(404);

      const after = (await api(tokens.coordinator, 'GET', `/patients/${margaret}`)).body;
      await api(tokens.coordinator, 'PATCH', `/patients/${margaret}`, { version: after.version, room: '306' });
      await stack.settle();
      // Events published before the revocation (the removal itself) may still be in the queue;
      // nothing of the later change may reach the removed member.
      const late = family.drainData(sub.id).map((m) => m.payload.data.onPatientEvent.type);
      expect(late).not.toContain('PatientUpdated');
    } finally {
      // Put the family member back for the other tests.
      await api(tokens.coordinator, 'PUT', `/patients/${margaret}/care-team/${user('family').userId}`, { relationship: 'family' });
      family.close();
      outsider.close();
    }
  });
});

describe('audit trail', () => {
  it('records each change with its actor, reads of a patient and sign-ins', async () => {
    const current = (await api(tokens.coordinator, 'GET', `/patients/${walter}`)).body;
    const patched = await api(tokens.coordinator, 'PATCH', `/patients/${walter}`, { version: current.version, facility: 'Sunrise South' });
    const requestId = patched.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    await stack.settle();

    const rows = await eventually(async () => {
      const found = await queryAudit(
        stack.dataDir,
        `SELECT * FROM audit_events WHERE request_id = '${requestId}' AND entity_type = 'Patient'`,
      );
      return found.length ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'update',
      actor_id: user('coordinator').userId,
      actor_roles: ['coordinator'],
      org_id: stack.demoUsers!.orgId,
      org: stack.demoUsers!.orgId,
      entity_id: walter,
      patient_id: walter,
      changed_fields: ['facility'],
      source: 'api',
    });

    const reads = await queryAudit(stack.dataDir, `SELECT actor_id FROM audit_events WHERE action = 'read' AND entity_id = '${walter}'`);
    expect(reads.map((r) => r.actor_id)).toContain(user('coordinator').userId);
    const signIns = await queryAudit(stack.dataDir, `SELECT DISTINCT actor_id FROM audit_events WHERE action = 'sign_in'`);
    expect(signIns.map((r) => r.actor_id)).toEqual(expect.arrayContaining([user('family').userId, user('admin', 'other').userId]));

    // A care-team change of this test's own, found by its request id (no reliance on other tests).
    const added = await api(tokens.coordinator, 'PUT', `/patients/${walter}/care-team/${user('family').userId}`, { relationship: 'family' });
    expect(added.status).toBeLessThan(300);
    const removed = await api(tokens.coordinator, 'DELETE', `/patients/${walter}/care-team/${user('family').userId}`);
    expect(removed.status).toBe(204);
    const removalId = removed.headers.get('x-request-id');
    const removal = await eventually(async () => {
      const found = await queryAudit(
        stack.dataDir,
        `SELECT actor_id, action FROM audit_events WHERE entity_type = 'CareTeamMember' AND request_id = '${removalId}'`,
      );
      return found.length ? found : undefined;
    });
    expect(removal).toEqual([{ actor_id: user('coordinator').userId, action: 'delete' }]);

    const all = await queryAudit(stack.dataDir, 'SELECT event_id, count(*) AS n FROM audit_events GROUP BY event_id HAVING count(*) > 1');
    expect(all).toEqual([]); // every change exactly once
  });
});
