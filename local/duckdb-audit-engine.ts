/**
 * The audit query port on the local stack: the same SQL as on Athena, run by DuckDB over
 * `.carestack/audit/` with Athena's org rule (queryAuditChecked) and only the query's org readable,
 * asynchronously like Athena. Results are files under `.carestack/athena-results/org=<org>/<name>/`,
 * the layout of the Athena results bucket, so a restarted stack still answers finished runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditQuery, AuditQueryEngine, AuditQueryRow, AuditQueryState } from '../lambdas/shared/audit/query-engine.js';
import { queryAuditChecked } from './audit-query.js';

export const LOCAL_RESULTS_DIR = 'athena-results';

type Stored = { state: 'done'; rows: AuditQueryRow[] } | { state: 'failed'; reason: string };

export interface LocalAuditEngine extends AuditQueryEngine {
  /** Resolves once every run started so far has written its result (the stack waits on it when stopping). */
  drain(): Promise<void>;
}

export function createDuckDbAuditEngine(dataDir: string): LocalAuditEngine {
  const resultsDir = path.join(dataDir, LOCAL_RESULTS_DIR);
  /** Runs of this process not yet written: still `running`. */
  const inFlight = new Map<string, Promise<void>>();
  /** Same name, same run (Athena's ClientRequestToken). */
  const byName = new Map<string, string>();

  const run = async (id: string, query: AuditQuery): Promise<void> => {
    let stored: Stored;
    try {
      const rows = await queryAuditChecked(dataDir, query.sql, { orgId: query.orgId });
      stored = { state: 'done', rows: rows.map(asAthenaRow) };
    } catch (error) {
      stored = { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
    const folder = path.join(resultsDir, `org=${query.orgId}`, ...query.name.split('/'));
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `${id}.json`), JSON.stringify(stored));
  };

  return {
    async start(query) {
      const key = `${query.orgId}/${query.name}`;
      const known = byName.get(key);
      if (known) return known;
      const id = randomUUID();
      byName.set(key, id);
      const running = run(id, query).finally(() => inFlight.delete(id));
      inFlight.set(id, running);
      return id;
    },
    async result(id): Promise<AuditQueryState> {
      if (inFlight.has(id)) return { state: 'running' };
      const file = await findResult(resultsDir, id);
      if (!file) return { state: 'failed', reason: 'No such query execution (the local stack was stopped while it ran)' };
      return JSON.parse(await readFile(file, 'utf8')) as Stored;
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}

async function findResult(resultsDir: string, id: string): Promise<string | undefined> {
  try {
    const entries = await readdir(resultsDir, { recursive: true });
    const found = entries.find((e) => path.basename(e) === `${id}.json`);
    return found ? path.join(resultsDir, found) : undefined;
  } catch {
    return undefined;
  }
}

/** Athena hands every value over as a string (or null); so does this port. */
function asAthenaRow(row: Record<string, unknown>): AuditQueryRow {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v)]));
}
