/**
 * The port through which runtime code queries `audit_events`: Athena on AWS
 * (`lambdas/access-reports/athena-engine.ts`), DuckDB over `.carestack/audit/` locally
 * (`local/duckdb-audit-engine.ts`). Both run the same SQL, which must name its org as Athena
 * requires (org-condition.ts), and both are asynchronous like Athena: start, then ask.
 */
export interface AuditQuery {
  /** Trino SQL over `audit_events` (DuckDB runs it too). */
  readonly sql: string;
  /** The org whose partition it reads; its results go under that org's prefix (`org=<orgId>/`). */
  readonly orgId: string;
  /**
   * Names the run: repeated starts with the same name are the same run (Athena's
   * ClientRequestToken), and results go under `org=<orgId>/<name>/`. Letters, digits, `-`, `/`.
   */
  readonly name: string;
}

/** A row as Athena returns it: every value a string or null, by column name. */
export type AuditQueryRow = Readonly<Record<string, string | null>>;

export type AuditQueryState =
  | { readonly state: 'running' }
  | { readonly state: 'done'; readonly rows: readonly AuditQueryRow[] }
  | { readonly state: 'failed'; readonly reason: string };

export interface AuditQueryEngine {
  /** Starts the query; answers its execution id. */
  start(query: AuditQuery): Promise<string>;
  /** Where the execution is; its rows once done (in the query's order). */
  result(executionId: string): Promise<AuditQueryState>;
}
