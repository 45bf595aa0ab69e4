/**
 * `npm run audit -- --as <email>` against a running local stack with two orgs: each org's
 * compliance officer signs in through the local user pool and sees exactly its own org's rows;
 * naming the other org, leaving the org out, or signing in as anyone but compliance is refused.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORG_CONDITION_MESSAGE } from '../../../lambdas/shared/audit/org-condition.js';
import { queryAudit, runAuditCli } from '../../../local/audit-query.js';
import type { LocalStack } from '../../../local/stack.js';
import { apiClient, signIn } from '../../support/client.js';
import { startTestStack, stopTestStack } from '../../support/local-stack.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

let stack: LocalStack;
let sunrise: { orgId: string; officer: { email: string; password: string } };
let harbor: { orgId: string; officer: { email: string; password: string } };

async function cli(...argv: string[]) {
  const captured = { out: '', err: '' };
  const code = await runAuditCli(['--dir', stack.dataDir, ...argv], { out: (t) => void (captured.out += t), err: (t) => void (captured.err += t) });
  return { code, ...captured, rows: code === 0 && argv.includes('--json') ? captured.out.trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [] };
}

beforeAll(async () => {
  stack = await startTestStack('audit-as');
  const demo = stack.demoUsers!;
  const api = apiClient(stack.outputs);
  const login = (u: { email: string; password: string }) => signIn(stack.outputs, u.email, u.password);
  const sunriseAdmin = await login(demo.users.find((u) => u.role === 'admin')!);
  const harborAdmin = await login(demo.otherOrg.users.find((u) => u.role === 'admin')!);
  // The other org has no compliance officer in the demo: its admin makes one (locally, with a password).
  const made = await api(harborAdmin, 'POST', '/users', { email: 'officer@harbor.example', displayName: 'Harbor Officer', role: 'compliance' });
  expect(made.status).toBe(201);
  sunrise = { orgId: demo.orgId, officer: demo.users.find((u) => u.role === 'compliance')! };
  harbor = { orgId: demo.otherOrg.orgId, officer: { email: made.body.email, password: made.body.password } };
  // Audited activity in both orgs: reads of a patient each.
  expect((await api(sunriseAdmin, 'GET', `/patients/${demo.patients[0]!.patientId}`)).status).toBe(200);
  expect((await api(harborAdmin, 'GET', `/patients/${demo.otherOrg.patients[0]!.patientId}`)).status).toBe(200);
  await stack.settle();
});

afterAll(async () => {
  await stopTestStack(stack);
});

describe('npm run audit -- --as', () => {
  it("runs as the npm script: each org's officer sees exactly its own org's rows", async () => {
    for (const [org, other, password] of [
      [sunrise, harbor, undefined], // password from .carestack/demo-users.json
      [harbor, sunrise, harbor.officer.password], // password given
    ] as const) {
      // Before the CLI: its own sign-in adds a row to the trail while it runs.
      const expected = await queryAudit(stack.dataDir, `SELECT event_id FROM audit_events WHERE org = '${org.orgId}' ORDER BY event_id`);
      const sql = `SELECT event_id, org_id, org FROM audit_events WHERE org = '${org.orgId}' ORDER BY event_id`;
      const args = ['tsx', 'local/audit-query.ts', '--dir', stack.dataDir, '--as', org.officer.email, ...(password ? ['--password', password] : []), '--json', sql];
      const { stdout } = await run('npx', args, { cwd: ROOT });
      const rows = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event_id: string; org_id: string; org: string });

      expect(expected.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.event_id)).toEqual(expect.arrayContaining(expected.map((r) => r.event_id)));
      expect(new Set(rows.map((r) => `${r.org}/${r.org_id}`))).toEqual(new Set([`${org.orgId}/${org.orgId}`]));
      const others = await queryAudit(stack.dataDir, `SELECT event_id FROM audit_events WHERE org = '${other.orgId}'`);
      expect(others.length).toBeGreaterThan(0);
      expect(rows.some((r) => others.some((o) => o.event_id === r.event_id))).toBe(false);
    }
  });

  it("refuses a query naming the other org, even beside the officer's own", async () => {
    for (const sql of [
      `SELECT event_id FROM audit_events WHERE org = '${harbor.orgId}'`,
      `SELECT event_id FROM audit_events WHERE org IN ('${sunrise.orgId}', '${harbor.orgId}')`,
    ]) {
      const out = await cli('--as', sunrise.officer.email, '--json', sql);
      expect(out.code).toBe(1);
      expect(out.err).toMatch(new RegExp(`^Permission denied on S3 path: audit/org=${harbor.orgId}/`));
      expect(out.out).toBe('');
    }
  });

  it("refuses a query without a static org condition, with Athena's message", async () => {
    const out = await cli('--as', harbor.officer.email, '--password', harbor.officer.password, '--json', "SELECT * FROM audit_events WHERE action = 'read' OR org = 'x'");
    expect(out.code).toBe(1);
    expect(out.err).toBe(`${ORG_CONDITION_MESSAGE}\n`);
  });

  it('gives no audit access to other roles or to a wrong password', async () => {
    const admin = stack.demoUsers!.users.find((u) => u.role === 'admin')!;
    const asAdmin = await cli('--as', admin.email, '--json', `SELECT event_id FROM audit_events WHERE org = '${sunrise.orgId}'`);
    expect(asAdmin.code).toBe(1);
    expect(asAdmin.err).toMatch(/not in the compliance group/);
    const wrong = await cli('--as', sunrise.officer.email, '--password', 'Wrong-password-123!', `SELECT 1 FROM audit_events WHERE org = '${sunrise.orgId}'`);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/Sign-in failed/);
  });

  it('without --as, the operator still reads every org, by naming them', async () => {
    const out = await cli('--json', `SELECT DISTINCT org FROM audit_events WHERE org IN ('${sunrise.orgId}', '${harbor.orgId}') ORDER BY org`);
    expect(out.code).toBe(0);
    expect(out.rows).toEqual([{ org: harbor.orgId }, { org: sunrise.orgId }]);
  });
});
