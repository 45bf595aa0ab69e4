import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_COLUMNS, auditObjectKey, type AuditEvent } from '../../../lambdas/shared/audit/audit-event.js';
import { ORG_CONDITION_MESSAGE } from '../../../lambdas/shared/audit/org-condition.js';
import { AuditQueryRefusedError, formatJsonLines, queryAudit, queryAuditChecked, runAuditCli } from '../../../local/audit-query.js';

function event(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    event_id: 'evt-1',
    at: '2026-11-21T09:00:00.000Z',
    org_id: 'org-a',
    actor_id: 'user-nurse',
    actor_roles: ['nurse'],
    action: 'update',
    entity_type: 'Patient',
    entity_id: 'pat-1',
    patient_id: 'pat-1',
    changed_fields: ['allergies'],
    request_id: 'req-1',
    source: 'api',
    ...overrides,
  };
}

describe('queryAudit', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'audit-query-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  async function writeObject(orgId: string, dt: string, objectId: string, rows: object[]) {
    const file = path.join(dataDir, auditObjectKey(orgId, dt, objectId));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, gzipSync(rows.map((row) => JSON.stringify(row)).join('\n') + '\n'));
  }

  async function seed() {
    await writeObject('org-a', '2026-11-21', 'batch-1', [
      event({ event_id: 'evt-1' }),
      event({ event_id: 'evt-2', at: '2026-11-21T10:00:00.000Z', action: 'read', changed_fields: [], request_id: null }),
    ]);
    await writeObject('org-a', '2026-11-22', 'batch-2', [
      event({ event_id: 'evt-3', at: '2026-11-22T08:00:00.000Z', actor_id: 'user-admin', actor_roles: ['admin', 'nurse'], action: 'delete' }),
    ]);
    await writeObject('org-b', '2026-11-21', 'batch-3', [
      // Extra fields in an object are fine and do not become columns.
      { ...event({ event_id: 'evt-4', org_id: 'org-b', patient_id: null, source: 'system' }), extra: 'ignored' },
    ]);
  }

  it('exposes exactly the audit_events columns plus the partitions org and dt', async () => {
    await seed();
    const columns = await queryAudit(dataDir, 'DESCRIBE audit_events');

    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
      ...AUDIT_COLUMNS.map((c) => [c.name, c.type === 'string' ? 'VARCHAR' : c.type === 'int' ? 'INTEGER' : 'VARCHAR[]']),
      ['org', 'VARCHAR'],
      ['dt', 'VARCHAR'],
    ]);
  });

  it('filters on partitions and columns and returns lists as arrays', async () => {
    await seed();
    const rows = await queryAudit(
      dataDir,
      `SELECT event_id, "at", actor_roles, changed_fields, request_id, org, dt FROM audit_events
       WHERE org = 'org-a' AND dt = '2026-11-21' ORDER BY "at"`,
    );

    expect(rows).toEqual([
      { event_id: 'evt-1', at: '2026-11-21T09:00:00.000Z', actor_roles: ['nurse'], changed_fields: ['allergies'], request_id: 'req-1', org: 'org-a', dt: '2026-11-21' },
      { event_id: 'evt-2', at: '2026-11-21T10:00:00.000Z', actor_roles: ['nurse'], changed_fields: [], request_id: null, org: 'org-a', dt: '2026-11-21' },
    ]);
  });

  it('answers queries on list columns with counts as plain numbers', async () => {
    await seed();
    const rows = await queryAudit(
      dataDir,
      `SELECT actor_id, count(*) AS changes FROM audit_events
       WHERE contains(actor_roles, 'admin') OR patient_id IS NULL
       GROUP BY actor_id ORDER BY actor_id`,
    );

    expect(rows).toEqual([
      { actor_id: 'user-admin', changes: 1 },
      { actor_id: 'user-nurse', changes: 1 },
    ]);
  });

  it('works before any audit object exists', async () => {
    await expect(queryAudit(dataDir, 'SELECT count(*) AS n FROM audit_events')).resolves.toEqual([{ n: 0 }]);
    const columns = await queryAudit(path.join(dataDir, 'missing'), 'DESCRIBE audit_events');
    expect(columns.map((c) => c.column_name)).toEqual([...AUDIT_COLUMNS.map((c) => c.name), 'org', 'dt']);
  });

  it('does not read files that are not audit objects, such as a writer\'s temp file', async () => {
    await seed();
    const folder = path.dirname(path.join(dataDir, auditObjectKey('org-a', '2026-11-21', 'x')));
    await writeFile(path.join(folder, '.batch-9.json.gz.1234.tmp'), 'partial');

    await expect(queryAudit(dataDir, 'SELECT count(*) AS n FROM audit_events')).resolves.toEqual([{ n: 4 }]);
  });

  describe('one org (a compliance officer)', () => {
    it("reads only that org's objects, whatever the query names", async () => {
      await seed();
      const rows = await queryAudit(dataDir, 'SELECT DISTINCT org FROM audit_events', { orgId: 'org-b' });
      expect(rows).toEqual([{ org: 'org-b' }]);
    });

    it('cannot reach other files from the query itself', async () => {
      await seed();
      const other = path.join(dataDir, auditObjectKey('org-a', '2026-11-21', 'batch-1')).split(path.sep).join('/');
      await expect(queryAudit(dataDir, `SELECT count(*) AS n FROM read_json('${other}')`, { orgId: 'org-b' })).rejects.toThrow(/disabled|external/i);
      await expect(queryAudit(dataDir, 'SET enable_external_access = true', { orgId: 'org-b' })).rejects.toThrow(/lock|configuration|cannot/i);
    });

    it("refuses another org's name before running, as Athena's S3 permissions would", async () => {
      await seed();
      await expect(queryAuditChecked(dataDir, "SELECT * FROM audit_events WHERE org = 'org-a'", { orgId: 'org-b' })).rejects.toThrow(
        /^Permission denied on S3 path: audit\/org=org-a\//,
      );
      await expect(queryAuditChecked(dataDir, "SELECT event_id FROM audit_events WHERE org = 'org-b'", { orgId: 'org-b' })).resolves.toEqual([{ event_id: 'evt-4' }]);
      await expect(queryAuditChecked(dataDir, 'SELECT * FROM audit_events', { orgId: 'org-b' })).rejects.toBeInstanceOf(AuditQueryRefusedError);
    });

    it("runs Trino's array_join", async () => {
      await seed();
      const rows = await queryAuditChecked(dataDir, "SELECT array_join(actor_roles, ',') AS roles FROM audit_events WHERE org = 'org-a' AND event_id = 'evt-3'");
      expect(rows).toEqual([{ roles: 'admin,nurse' }]);
    });
  });

  describe('CLI', () => {
    function io() {
      const captured = { out: '', err: '' };
      return { captured, io: { out: (t: string) => void (captured.out += t), err: (t: string) => void (captured.err += t) } };
    }

    it('--json prints one JSON object per row', async () => {
      await seed();
      const { captured, io: cliIo } = io();
      const code = await runAuditCli(['--dir', dataDir, '--json', "SELECT event_id, actor_roles FROM audit_events WHERE org = 'org-a' ORDER BY event_id"], cliIo);

      expect(code).toBe(0);
      expect(captured.out.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([
        { event_id: 'evt-1', actor_roles: ['nurse'] },
        { event_id: 'evt-2', actor_roles: ['nurse'] },
        { event_id: 'evt-3', actor_roles: ['admin', 'nurse'] },
      ]);
      expect(formatJsonLines([{ a: 1 }, { a: [2] }])).toBe('{"a":1}\n{"a":[2]}\n');
    });

    it('prints a table by default', async () => {
      await seed();
      const { captured, io: cliIo } = io();
      const code = await runAuditCli(['--dir', dataDir, "SELECT action FROM audit_events WHERE org = 'org-a' AND event_id =", "'evt-3'"], cliIo);

      expect(code).toBe(0);
      expect(captured.out).toContain('action');
      expect(captured.out).toContain("'delete'");
    });

    it('prints the message of a SQL error and exits 1', async () => {
      const { captured, io: cliIo } = io();
      const code = await runAuditCli(['--dir', dataDir, "SELECT no_such_column FROM audit_events WHERE org = 'org-a'"], cliIo);

      expect(code).toBe(1);
      expect(captured.err).toMatch(/no_such_column/);
      expect(captured.out).toBe('');
    });

    it("refuses a query without a static org condition with Athena's message, as the operator too", async () => {
      await seed();
      for (const sql of ["SELECT * FROM audit_events WHERE action = 'read'", "SELECT * FROM audit_events WHERE org = 'org-a' OR org = 'org-b'"]) {
        const { captured, io: cliIo } = io();
        expect(await runAuditCli(['--dir', dataDir, sql], cliIo)).toBe(1);
        expect(captured.err).toBe(`${ORG_CONDITION_MESSAGE}\n`);
        expect(captured.out).toBe('');
      }
    });

    it('--as without a running stack says so', async () => {
      const { captured, io: cliIo } = io();
      expect(await runAuditCli(['--dir', dataDir, '--as', 'officer@example.org', "SELECT 1 FROM audit_events WHERE org = 'org-a'"], cliIo)).toBe(1);
      expect(captured.err).toMatch(/outputs\.json: start the local stack/);
    });

    it('exits 1 with usage when no SQL is given', async () => {
      const { captured, io: cliIo } = io();
      expect(await runAuditCli(['--json'], cliIo)).toBe(1);
      expect(captured.err).toMatch(/usage/);
    });
  });
});
