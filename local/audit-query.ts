/**
 * Queries the local audit trail with DuckDB under the Athena table's name and columns.
 *
 *   npm run audit -- "SELECT action, count(*) AS n FROM audit_events WHERE org = 'sunrise-care' GROUP BY action"
 *   npm run audit -- --json "SELECT * FROM audit_events WHERE org = 'sunrise-care'"
 *   npm run audit -- --as compliance@sunrise.example "<SQL>"   (a compliance officer: its org only)
 *   npm run audit -- --dir .carestack "<SQL>"
 *
 * Like Athena, it refuses a query without a static `org = '...'` condition (org-condition.ts); with
 * `--as` it signs in through the local user pool and reads only the officer's org, as the identity
 * pool's role does on AWS (docs/audit.md). Documented queries stay within SQL both engines accept.
 */
import { Console } from 'node:console';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { AUDIT_COLUMNS, AUDIT_PREFIX } from '../lambdas/shared/audit/audit-event.js';
import { checkOrgScope } from '../lambdas/shared/audit/org-condition.js';
import { signInAsOfficer } from './audit-sign-in.js';

export const DEFAULT_DATA_DIR = '.carestack';

const DUCKDB_TYPES: Record<(typeof AUDIT_COLUMNS)[number]['type'], string> = {
  string: 'VARCHAR',
  'array<string>': 'VARCHAR[]',
  int: 'INTEGER',
};

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;
// Quoted because DuckDB reserves `at` (Trino does not; `"at"` works in both).
const sqlName = (name: string) => `"${name}"`;

/** The view's definition: every column typed, partitions `org` and `dt` as strings (like Athena's). */
function viewSql(pattern: string | undefined): string {
  if (!pattern) {
    const columns = [...AUDIT_COLUMNS.map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] })), { name: 'org', type: 'VARCHAR' }, { name: 'dt', type: 'VARCHAR' }];
    // No audit objects yet: same columns, no rows, so queries still run.
    return `CREATE VIEW audit_events AS SELECT ${columns.map((c) => `CAST(NULL AS ${c.type}) AS ${sqlName(c.name)}`).join(', ')} WHERE false`;
  }
  const columns = AUDIT_COLUMNS.map((c) => `${sqlName(c.name)}: ${sqlString(DUCKDB_TYPES[c.type])}`).join(', ');
  return `CREATE VIEW audit_events AS SELECT ${AUDIT_COLUMNS.map((c) => sqlName(c.name)).join(', ')}, org, dt FROM read_json(${sqlString(pattern)}, format = 'newline_delimited', hive_partitioning = true, hive_types_autocast = false, columns = {${columns}})`;
}

/** DuckDB's JS values (bigint, Date) made plain JSON: integers as numbers, dates as DuckDB prints them. */
function plain(js: unknown, json: unknown): unknown {
  if (typeof js === 'bigint') return Number.isSafeInteger(Number(js)) ? Number(js) : json;
  if (Array.isArray(js) && Array.isArray(json)) return js.map((item, i) => plain(item, json[i]));
  if (js && typeof js === 'object' && !(js instanceof Date) && json && typeof json === 'object') {
    const jsonObject = json as Record<string, unknown>;
    return Object.fromEntries(Object.entries(js).map(([key, value]) => [key, plain(value, jsonObject[key])]));
  }
  return json;
}

export interface AuditQueryScope {
  /**
   * Read only this org's objects (`audit/org=<orgId>/`): its rows are loaded into the table, then
   * DuckDB's file access is switched off and locked, so the query itself cannot reach other files.
   * @default - every org (the operator, and the tests' view of the whole trail)
   */
  readonly orgId?: string;
}

/** A query refused before it ran, with the message Athena would give. */
export class AuditQueryRefusedError extends Error {
  override readonly name = 'AuditQueryRefusedError';
}

/**
 * Runs `sql` against `audit_events` over `<dataDir>/audit/org=*\/dt=*\/*.json.gz` as it is: no
 * org-condition check (tests use it to look at the whole trail). People and functions go through
 * `queryAuditChecked`.
 */
export async function queryAudit(dataDir: string, sql: string, scope: AuditQueryScope = {}): Promise<Record<string, unknown>[]> {
  const org = scope.orgId === undefined ? 'org=*' : `org=${scope.orgId}`;
  if (scope.orgId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(scope.orgId)) throw new AuditQueryRefusedError(`Not an org id: ${scope.orgId}`);
  const pattern = path.resolve(dataDir, AUDIT_PREFIX, org, 'dt=*', '*.json.gz').split(path.sep).join('/');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const found = await connection.runAndReadAll(`SELECT count(*) AS files FROM glob(${sqlString(pattern)})`);
    const files = Number(found.getRowsJS()[0]?.[0] ?? 0);
    await connection.run(viewSql(files > 0 ? pattern : undefined));
    // Trino's array_join, so the same SQL runs on both (DuckDB calls it array_to_string).
    await connection.run('CREATE MACRO array_join(a, sep) AS array_to_string(a, sep)');
    if (scope.orgId !== undefined) {
      await connection.run('CREATE TABLE audit_rows AS SELECT * FROM audit_events');
      await connection.run('DROP VIEW audit_events');
      await connection.run('ALTER TABLE audit_rows RENAME TO audit_events');
      await connection.run('SET enable_external_access = false');
      await connection.run('SET lock_configuration = true');
    }
    const result = await connection.runAndReadAll(sql);
    const json = result.getRowObjectsJson();
    return result.getRowObjectsJS().map((row, i) => plain(row, json[i]) as Record<string, unknown>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * As Athena answers: refused without a static org condition (and, for an officer's `orgId`, when
 * it names another org), else run over the scope's objects.
 */
export async function queryAuditChecked(dataDir: string, sql: string, scope: AuditQueryScope = {}): Promise<Record<string, unknown>[]> {
  const checked = checkOrgScope(sql, scope.orgId);
  if (!checked.ok) throw new AuditQueryRefusedError(checked.message);
  return queryAudit(dataDir, sql, scope);
}

/** One JSON object per line, as `--json` prints. */
export function formatJsonLines(rows: readonly Record<string, unknown>[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/** A readable table (console.table), or a note when there are no rows. */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)\n';
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  new Console({ stdout: sink, colorMode: false }).table(rows);
  return text;
}

const USAGE =
  'usage: npm run audit -- [--json] [--dir <dataDir>] [--as <email> [--password <password>]] "<SQL over audit_events WHERE org = \'<orgId>\' ...>"\n';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Asks for a password when neither `--password` nor the demo users know it. @default - no prompt: an error */
  prompt?: (question: string) => Promise<string>;
}

/** The CLI without process globals: returns the exit code. */
export async function runAuditCli(argv: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  let dataDir = DEFAULT_DATA_DIR;
  let as: string | undefined;
  let password: string | undefined;
  const sqlParts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--dir' || arg === '--as' || arg === '--password') {
      const value = argv[++i];
      if (!value) {
        io.err(`${arg} needs a value\n${USAGE}`);
        return 1;
      }
      if (arg === '--dir') dataDir = value;
      else if (arg === '--as') as = value;
      else password = value;
    } else if (arg === '--help' || arg === '-h') {
      io.out(USAGE);
      return 0;
    } else sqlParts.push(arg);
  }
  const sql = sqlParts.join(' ').trim();
  if (!sql) {
    io.err(USAGE);
    return 1;
  }
  try {
    const scope = as === undefined ? {} : { orgId: (await signInAsOfficer(dataDir, as, password, io.prompt)).orgId };
    const rows = await queryAuditChecked(dataDir, sql, scope);
    io.out(json ? formatJsonLines(rows) : formatTable(rows));
    return 0;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // runAuditCli reports every failure itself and resolves to the exit code.
  void runAuditCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    prompt: promptHidden,
  }).then((code) => {
    process.exitCode = code;
  });
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write(question);
  muted._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
