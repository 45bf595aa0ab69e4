import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaAuditEngine } from '../../../../lambdas/access-reports/athena-engine.js';
import { accessReportQuery } from '../../../../lambdas/access-reports/report-query.js';
import type { AccessReportRepository, StoredAccessReport } from '../../../../lambdas/access-reports/repository.js';
import { AccessReportService, MAX_REPORT_ROWS } from '../../../../lambdas/access-reports/service.js';
import { checkOrgScope } from '../../../../lambdas/shared/audit/org-condition.js';
import type { AuditQuery, AuditQueryEngine, AuditQueryState } from '../../../../lambdas/shared/audit/query-engine.js';
import type { Caller } from '../../../../lambdas/shared/auth/caller.js';
import type { WriteContext } from '../../../../lambdas/shared/data/write-context.js';
import { NotFoundError } from '../../../../lambdas/shared/errors.js';
import type { AccessReportRow } from '../../../../schemas/access-reports.js';

const athena = mockClient(AthenaClient);
const options = { workGroup: 'carestack-dev-audit', database: 'carestack_dev_audit', resultsBucket: 'results-bucket', resultsKeyArn: 'arn:aws:kms:us-east-1:1:key/k' };
const engine = () => new AthenaAuditEngine(new AthenaClient({ region: 'us-east-1' }), options);
const query = accessReportQuery({ orgId: 'sunrise-care', patientId: 'pat-1', reportId: '01JREPORT', from: '2026-11-01T00:00:00.000Z', to: '2026-11-02T12:00:00.000Z' });

beforeEach(() => athena.reset());

describe('accessReportQuery', () => {
  it("names the org as Athena requires, and nothing else's", () => {
    expect(checkOrgScope(query.sql, 'sunrise-care')).toEqual({ ok: true, orgs: ['sunrise-care'] });
  });

  it("reads the window's days, the patient and the exact window, without reports about reports, oldest first", () => {
    expect(query.sql).toContain("dt BETWEEN '2026-11-01' AND '2026-11-02'");
    expect(query.sql).toContain("patient_id = 'pat-1'");
    expect(query.sql).toContain(`"at" >= '2026-11-01T00:00:00.000Z' AND "at" < '2026-11-02T12:00:00.000Z'`);
    expect(query.sql).toContain("entity_type <> 'AccessReport'");
    expect(query.sql).toMatch(/ORDER BY "at", event_id$/);
    expect(query).toMatchObject({ orgId: 'sunrise-care', name: 'access-reports/01JREPORT' });
  });

  it('escapes quotes in values', () => {
    const q = accessReportQuery({ orgId: "o'x", patientId: "p'1", reportId: 'r', from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' });
    expect(q.sql).toContain("org = 'o''x'");
    expect(q.sql).toContain("patient_id = 'p''1'");
    expect(checkOrgScope(q.sql, "o'x").ok).toBe(true);
  });
});

describe('AthenaAuditEngine', () => {
  it("starts the query in the audit workgroup and database, with results under the org's prefix, KMS-encrypted, idempotently", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    await expect(engine().start(query)).resolves.toBe('q-1');
    await engine().start(query);
    const [first, second] = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(first).toEqual({
      QueryString: query.sql,
      WorkGroup: 'carestack-dev-audit',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'carestack_dev_audit' },
      ResultConfiguration: {
        OutputLocation: 's3://results-bucket/org=sunrise-care/access-reports/01JREPORT/',
        EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: options.resultsKeyArn },
      },
      ClientRequestToken: expect.any(String),
    });
    expect(first!.ClientRequestToken!.length).toBeGreaterThanOrEqual(32);
    expect(first!.ClientRequestToken!.length).toBeLessThanOrEqual(128);
    expect(second!.ClientRequestToken).toBe(first!.ClientRequestToken);
  });

  it.each([
    ['QUEUED', { state: 'running' }],
    ['RUNNING', { state: 'running' }],
    ['FAILED', { state: 'failed', reason: 'CONSTRAINT_VIOLATION: boom' }],
    ['CANCELLED', { state: 'failed', reason: 'CONSTRAINT_VIOLATION: boom' }],
  ] as const)('maps %s', async (state, expected) => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: state, StateChangeReason: 'CONSTRAINT_VIOLATION: boom' } } });
    await expect(engine().result('q-1')).resolves.toEqual(expected);
    expect(athena).not.toHaveReceivedCommand(GetQueryResultsCommand);
  });

  it('reads every page of a finished query, skipping the header row, values by column name', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const columns = { ColumnInfo: [{ Name: 'at', Type: 'varchar' }, { Name: 'actor_id', Type: 'varchar' }, { Name: 'actor_roles', Type: 'varchar' }] };
    const row = (...v: Array<string | undefined>) => ({ Data: v.map((x) => (x === undefined ? {} : { VarCharValue: x })) });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves({ ResultSet: { ResultSetMetadata: columns, Rows: [row('at', 'actor_id', 'actor_roles'), row('t1', 'u1', 'admin')] }, NextToken: 'page-2' })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'page-2' })
      .resolves({ ResultSet: { ResultSetMetadata: columns, Rows: [row('t2', 'u2', undefined)] } });
    await expect(engine().result('q-1')).resolves.toEqual({
      state: 'done',
      rows: [
        { at: 't1', actor_id: 'u1', actor_roles: 'admin' },
        { at: 't2', actor_id: 'u2', actor_roles: null },
      ],
    });
    expect(athena).toHaveReceivedCommandTimes(GetQueryResultsCommand, 2);
  });
});

// ---- The service over a fake repository and engine ------------------------------------------

class FakeReports {
  reports = new Map<string, StoredAccessReport>();
  rowsOf = new Map<string, AccessReportRow[]>();
  patients = new Set(['pat-1', 'pat-2']);
  reads: string[] = [];
  async replay() {
    return undefined;
  }
  async patientExists(_org: string, id: string) {
    return this.patients.has(id);
  }
  async create<T>(_ctx: WriteContext, r: Omit<StoredAccessReport, 'version'>, _idem: unknown, response: T) {
    this.reports.set(r.id, { ...r, version: 1 });
    return response;
  }
  async get(_org: string, patientId: string, id: string) {
    const r = this.reports.get(id);
    return r && r.patientId === patientId ? { ...r } : undefined;
  }
  async complete(ctx: WriteContext, r: StoredAccessReport, rows: AccessReportRow[]) {
    this.rowsOf.set(r.id, rows);
    this.reports.set(r.id, { ...r, status: 'done', completedAt: ctx.now, version: r.version + 1 });
    return true;
  }
  async fail(ctx: WriteContext, r: StoredAccessReport, reason: string) {
    this.reports.set(r.id, { ...r, status: 'failed', reason, completedAt: ctx.now, version: r.version + 1 });
    return true;
  }
  async rows(_org: string, r: StoredAccessReport) {
    return this.rowsOf.get(r.id) ?? [];
  }
  async displayNames() {
    return new Map([['u-clin', 'Dr. Ada']]);
  }
  async recordRead(_ctx: WriteContext, r: StoredAccessReport) {
    this.reads.push(r.id);
  }
}

class FakeEngine implements AuditQueryEngine {
  started: AuditQuery[] = [];
  state: AuditQueryState = { state: 'running' };
  async start(q: AuditQuery) {
    this.started.push(q);
    return `exec-${this.started.length}`;
  }
  async result() {
    return this.state;
  }
}

const caller = (roles: Caller['roles'], extra: Partial<Caller> = {}): Caller => ({ userId: `u-${roles[0]}`, orgId: 'sunrise-care', roles, email: '', displayName: '', ...extra });
const ctx = (c: Caller): WriteContext => ({ orgId: c.orgId, actorId: c.userId, actorRoles: c.roles, requestId: 'req', source: 'api', now: '2026-11-02T12:00:00.000Z' });
const window = { from: '2026-11-01T00:00:00+02:00', to: '2026-11-02T00:00:00Z' };

describe('AccessReportService', () => {
  let reports: FakeReports;
  let engineFake: FakeEngine;
  let service: AccessReportService;
  beforeEach(() => {
    reports = new FakeReports();
    engineFake = new FakeEngine();
    service = new AccessReportService(reports as unknown as AccessReportRepository, engineFake);
  });

  it("starts the caller's org query for the patient, with the window in UTC, and stores who asked", async () => {
    const patient = caller(['patient'], { patientId: 'pat-1' });
    const started = await service.start(patient, ctx(patient), 'pat-1', window);
    expect(started).toEqual({ reportId: expect.any(String), status: 'running' });
    expect(engineFake.started[0]!.orgId).toBe('sunrise-care');
    expect(engineFake.started[0]!.sql).toContain("\"at\" >= '2026-10-31T22:00:00.000Z'");
    expect(reports.reports.get(started.reportId)).toMatchObject({ requestedBy: 'u-patient', status: 'running', executionId: 'exec-1', patientId: 'pat-1' });
  });

  it.each([
    ['a patient about another patient', caller(['patient'], { patientId: 'pat-2' }), 'pat-1'],
    ['staff about a patient their org does not have', caller(['admin']), 'pat-9'],
    ['compliance about a patient their org does not have', caller(['compliance']), 'pat-9'],
  ])('404 for %s, and no query runs', async (_name, who, patientId) => {
    await expect(service.start(who, ctx(who), patientId, window)).rejects.toBeInstanceOf(NotFoundError);
    expect(engineFake.started).toEqual([]);
  });

  it('stays running while the engine runs, then stores and answers rows with actors, the same on every read', async () => {
    const officer = caller(['compliance']);
    const { reportId } = await service.start(officer, ctx(officer), 'pat-1', window);
    expect(await service.get(officer, ctx(officer), 'pat-1', reportId)).toMatchObject({ status: 'running' });
    expect((await service.get(officer, ctx(officer), 'pat-1', reportId)).rows).toBeUndefined();

    engineFake.state = {
      state: 'done',
      rows: [
        { at: '2026-11-01T09:00:00.000Z', actor_id: 'u-clin', actor_roles: 'clinician', action: 'read', entity_type: 'Patient', entity_id: 'pat-1', event_id: 'e1' },
        { at: '2026-11-01T10:00:00.000Z', actor_id: 'system', actor_roles: '', action: 'expire', entity_type: 'Dose', entity_id: 'd1', event_id: 'e2' },
        { at: '2026-11-01T11:00:00.000Z', actor_id: 'u-gone', actor_roles: 'admin,coordinator', action: 'update', entity_type: 'Patient', entity_id: 'pat-1', event_id: 'e3' },
      ],
    };
    const done = await service.get(officer, ctx(officer), 'pat-1', reportId);
    expect(done).toMatchObject({ status: 'done', completedAt: '2026-11-02T12:00:00.000Z' });
    expect(done.rows).toEqual([
      { at: '2026-11-01T09:00:00.000Z', actor: { userId: 'u-clin', displayName: 'Dr. Ada', roles: ['clinician'] }, action: 'read', entityType: 'Patient', entityId: 'pat-1' },
      { at: '2026-11-01T10:00:00.000Z', actor: { userId: 'system', displayName: 'CareStack', roles: [] }, action: 'expire', entityType: 'Dose', entityId: 'd1' },
      { at: '2026-11-01T11:00:00.000Z', actor: { userId: 'u-gone', displayName: 'u-gone', roles: ['admin', 'coordinator'] }, action: 'update', entityType: 'Patient', entityId: 'pat-1' },
    ]);
    // Once done, the engine is not asked again: the stored rows are the answer.
    engineFake.state = { state: 'done', rows: [] };
    expect((await service.get(officer, ctx(officer), 'pat-1', reportId)).rows).toEqual(done.rows);
    expect(reports.reads).toEqual([reportId, reportId, reportId, reportId]);
  });

  it('fails a report whose query failed or that has too many rows', async () => {
    const admin = caller(['admin']);
    const a = await service.start(admin, ctx(admin), 'pat-1', window);
    engineFake.state = { state: 'failed', reason: 'boom' };
    expect(await service.get(admin, ctx(admin), 'pat-1', a.reportId)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/failed/) });

    const b = await service.start(admin, ctx(admin), 'pat-1', window);
    const row = { at: 't', actor_id: 'system', actor_roles: '', action: 'read', entity_type: 'Patient', entity_id: 'pat-1', event_id: 'e' };
    engineFake.state = { state: 'done', rows: Array.from({ length: MAX_REPORT_ROWS + 1 }, () => row) };
    const tooMany = await service.get(admin, ctx(admin), 'pat-1', b.reportId);
    expect(tooMany).toMatchObject({ status: 'failed', reason: expect.stringMatching(/shorter window/) });
    expect(tooMany.rows).toBeUndefined();
  });

  it('answers 404 to anyone but whoever asked, and on the wrong patient path', async () => {
    const admin = caller(['admin']);
    const { reportId } = await service.start(admin, ctx(admin), 'pat-1', window);
    const coordinator = caller(['coordinator']);
    await expect(service.get(coordinator, ctx(coordinator), 'pat-1', reportId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.get(admin, ctx(admin), 'pat-2', reportId)).rejects.toBeInstanceOf(NotFoundError);
    expect(reports.reads).toEqual([]);
  });
});
