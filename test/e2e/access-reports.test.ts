/**
 * Patient access reports end to end on the local stack (the same function code as on AWS, with
 * DuckDB in Athena's place): a clinician reads Margaret's record and a coordinator changes it; her
 * report lists both, with actors, oldest first, and nothing about another patient; the same
 * report read twice answers the same rows; only whoever asked may read it; compliance may ask too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
let tokens: Record<string, string>;
let margaret: string;
let walter: string;
const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;

beforeAll(async () => {
  stack = await startTestStack('e2e-access-reports');
  api = apiClient(stack.outputs);
  tokens = await signInDemoUsers(stack);
  margaret = stack.demoUsers!.patients[0]!.patientId;
  walter = stack.demoUsers!.patients[1]!.patientId;
});

afterAll(async () => {
  await stopTestStack(stack);
});

/** Polls the report (every 20 ms, to time it finely) until it is no longer running; answers it and the GETs it took. */
async function finished(token: string, patientId: string, reportId: string) {
  let gets = 0;
  const report = await eventually(async () => {
    for (let i = 0; i < 50; i++) {
      gets += 1;
      const res = await api(token, 'GET', `/patients/${patientId}/access-reports/${reportId}`);
      expect(res.status).toBe(200);
      if (res.body.status !== 'running') return res.body;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  });
  return { report, gets };
}

describe('a patient asks who looked at their record', () => {
  it('lists the clinician who read it and the coordinator who changed it, with actors, oldest first, and nothing of another patient', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    expect((await api(tokens.clinician, 'GET', `/patients/${margaret}`)).status).toBe(200);
    const current = await api(tokens.coordinator, 'GET', `/patients/${margaret}`);
    const changed = await api(tokens.coordinator, 'PATCH', `/patients/${margaret}`, { version: current.body.version, room: '205' });
    expect(changed.status).toBe(200);
    // Another patient's records, read and changed in the same window by the same people.
    expect((await api(tokens.coordinator, 'GET', `/patients/${walter}`)).status).toBe(200);
    await stack.settle();
    const to = new Date(Date.now() + 60_000).toISOString();

    const t0 = performance.now();
    const started = await api(tokens.patient, 'POST', `/patients/${margaret}/access-reports`, { from, to });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ reportId: expect.any(String), status: 'running' });
    const postMs = performance.now() - t0;
    const { report, gets } = await finished(tokens.patient!, margaret, started.body.reportId);
    console.log(`[e2e] access report: POST ${postMs.toFixed(0)} ms, done after ${(performance.now() - t0).toFixed(0)} ms (${gets} GETs), ${report.rows.length} rows`);

    expect(report).toMatchObject({ reportId: started.body.reportId, patientId: margaret, status: 'done', from, to });
    const rows = report.rows as Array<{ at: string; actor: { userId: string; displayName: string; roles: string[] }; action: string; entityType: string; entityId: string }>;
    expect(rows).toContainEqual({
      at: expect.any(String),
      actor: { userId: user('clinician').userId, displayName: user('clinician').displayName, roles: ['clinician'] },
      action: 'read', entityType: 'Patient', entityId: margaret,
    });
    expect(rows).toContainEqual({
      at: expect.any(String),
      actor: { userId: user('coordinator').userId, displayName: user('coordinator').displayName, roles: ['coordinator'] },
      action: 'update', entityType: 'Patient', entityId: margaret,
    });
    // Oldest first; the clinician's read came before the coordinator's change.
    expect(rows.map((r) => r.at)).toEqual([...rows.map((r) => r.at)].sort());
    const readAt = rows.findIndex((r) => r.actor.userId === user('clinician').userId && r.action === 'read');
    const updateAt = rows.findIndex((r) => r.actor.userId === user('coordinator').userId && r.action === 'update');
    expect(readAt).toBeLessThan(updateAt);
    // Nothing of Walter, nothing outside the window, no report about reports.
    expect(rows.filter((r) => r.entityId === walter)).toEqual([]);
    expect(rows.every((r) => r.at >= from && r.at < to)).toBe(true);
    expect(rows.filter((r) => r.entityType === 'AccessReport')).toEqual([]);

    // The same report read again, and the same window asked again, answer the same rows.
    await stack.settle();
    const again = await api(tokens.patient, 'GET', `/patients/${margaret}/access-reports/${started.body.reportId}`);
    expect(again.body.rows).toEqual(rows);
    const second = await api(tokens.patient, 'POST', `/patients/${margaret}/access-reports`, { from, to });
    expect((await finished(tokens.patient!, margaret, second.body.reportId)).report.rows).toEqual(rows);

    // Reading a report is audited.
    await stack.settle();
    const reads = await queryAudit(
      stack.dataDir,
      `SELECT actor_id FROM audit_events WHERE org = '${stack.demoUsers!.orgId}' AND action = 'read' AND entity_type = 'AccessReport' AND entity_id = '${started.body.reportId}'`,
    );
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(new Set(reads.map((r) => r.actor_id))).toEqual(new Set([user('patient').userId]));
  });

  it('lets only whoever asked read a report; another patient, another org, or a role that never may: refused', async () => {
    const window = { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString() };
    const mine = await api(tokens.patient, 'POST', `/patients/${margaret}/access-reports`, window);
    expect(mine.status).toBe(202);
    const path = `/patients/${margaret}/access-reports/${mine.body.reportId}`;
    // Staff of the same org, even those who could ask for one: not theirs.
    expect((await api(tokens.coordinator, 'GET', path)).status).toBe(404);
    expect((await api(tokens.compliance, 'GET', path)).status).toBe(404);
    expect((await api(tokens['admin@other'], 'GET', path)).status).toBe(404);
    // The patient about someone else; another org's staff about Margaret.
    expect((await api(tokens.patient, 'POST', `/patients/${walter}/access-reports`, window)).status).toBe(404);
    expect((await api(tokens['admin@other'], 'POST', `/patients/${margaret}/access-reports`, window)).status).toBe(404);
    // Care-team roles may never ask.
    const refused = await api(tokens.clinician, 'POST', `/patients/${margaret}/access-reports`, window);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
  });

  it('lets compliance and staff ask for a patient of their org, and refuses a window over 366 days', async () => {
    const window = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() };
    for (const role of ['compliance', 'admin']) {
      const started = await api(tokens[role], 'POST', `/patients/${margaret}/access-reports`, window);
      expect(started.status, role).toBe(202);
      const { report } = await finished(tokens[role]!, margaret, started.body.reportId);
      expect(report.status, role).toBe('done');
    }
    expect((await api(tokens.compliance, 'POST', `/patients/no-such-patient/access-reports`, window)).status).toBe(404);
    const tooLong = await api(tokens.compliance, 'POST', `/patients/${margaret}/access-reports`, {
      from: '2025-01-01T00:00:00Z',
      to: '2026-01-03T00:00:00Z',
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toContainEqual({ path: 'body.to', message: expect.stringMatching(/366 days/) });
    const backwards = await api(tokens.compliance, 'POST', `/patients/${margaret}/access-reports`, { from: window.to, to: window.from });
    expect(backwards.status).toBe(400);
  });
});
