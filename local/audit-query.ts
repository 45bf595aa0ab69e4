/**
 * Queries the local audit trail with DuckDB under the Athena table's name and columns.
 *
 *   npm run audit -- "SELECT action, count(*) AS n FROM audit_events GROUP BY action"
 *   npm run audit -- --json "SELECT * FROM audit_events WHERE org = 'org-1'"
 *   npm run audit -- --dir .carestack "<SQL>"
 *
 * Documented queries should stay within SQL that Athena (Trino) accepts too.
 */
import { Console } from 'node:console';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { AUDIT_COLUMNS, AUDIT_PREFIX } from '../lambdas/shared/audit/audit-event.js';

export const DEFAULT_DATA_DIR = '.carestack';

const DUCKDB_TYPES: Record<(typeof AUDIT_COLUMNS)[number]['type'], string> = {
  string: 'VARCHAR',
  'array<string>': 'VARCHAR[]',
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

/** Runs `sql` against the view `audit_events` over `<dataDir>/audit/org=*\/dt=*\/*.json.gz`. */
export async function queryAudit(dataDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const pattern = path.resolve(dataDir, AUDIT_PREFIX, 'org=*', 'dt=*', '*.json.gz').split(path.sep).join('/');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const found = await connection.runAndReadAll(`SELECT count(*) AS files FROM glob(${sqlString(pattern)})`);
    const files = Number(found.getRowsJS()[0]?.[0] ?? 0);
    await connection.run(viewSql(files > 0 ? pattern : undefined));
    const result = await connection.runAndReadAll(sql);
    const json = result.getRowObjectsJson();
    return result.getRowObjectsJS().map((row, i) => plain(row, json[i]) as Record<string, unknown>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
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

const USAGE = 'usage: npm run audit -- [--json] [--dir <dataDir>] "<SQL over audit_events>"\n';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The CLI without process globals: returns the exit code. */
export async function runAuditCli(argv: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  let dataDir = DEFAULT_DATA_DIR;
  const sqlParts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--dir') {
      const value = argv[++i];
      if (!value) {
        io.err(`--dir needs a folder\n${USAGE}`);
        return 1;
      }
      dataDir = value;
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
    const rows = await queryAudit(dataDir, sql);
    io.out(json ? formatJsonLines(rows) : formatTable(rows));
    return 0;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runAuditCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
