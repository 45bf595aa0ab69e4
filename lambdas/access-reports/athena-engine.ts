import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import type { AuditQuery, AuditQueryEngine, AuditQueryRow, AuditQueryState } from '../shared/audit/query-engine.js';

export interface AthenaAuditEngineOptions {
  /** The audit workgroup (`carestack-<stage>-audit`). */
  workGroup: string;
  /** The Glue database of `audit_events`. */
  database: string;
  /** The Athena results bucket; each query writes under `org=<orgId>/<name>/` there. */
  resultsBucket: string;
  /** KMS key of the results (the data key). */
  resultsKeyArn: string;
}

/**
 * The audit query port on Athena. The workgroup does not enforce an output location (compliance
 * officers write under their own org's prefix, docs/audit.md), so every start names it, with the
 * workgroup's SSE-KMS encryption.
 */
export class AthenaAuditEngine implements AuditQueryEngine {
  constructor(
    private readonly athena: AthenaClient,
    private readonly options: AthenaAuditEngineOptions,
  ) {}

  async start(query: AuditQuery): Promise<string> {
    const out = await this.athena.send(
      new StartQueryExecutionCommand({
        QueryString: query.sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: this.options.database },
        ResultConfiguration: {
          OutputLocation: `s3://${this.options.resultsBucket}/org=${query.orgId}/${query.name}/`,
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: this.options.resultsKeyArn },
        },
        // The same name is the same run: a retried start does not run the query twice.
        ClientRequestToken: requestToken(query.name),
      }),
    );
    if (!out.QueryExecutionId) throw new Error('Athena started no query execution');
    return out.QueryExecutionId;
  }

  async result(executionId: string): Promise<AuditQueryState> {
    const out = await this.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: executionId }));
    const status = out.QueryExecution?.Status;
    switch (status?.State) {
      case 'SUCCEEDED':
        return { state: 'done', rows: await this.rows(executionId) };
      case 'FAILED':
      case 'CANCELLED':
        return { state: 'failed', reason: status.StateChangeReason ?? status.State };
      default:
        return { state: 'running' };
    }
  }

  /** Every page of the results; the first row of the first page is the header. */
  private async rows(executionId: string): Promise<AuditQueryRow[]> {
    const rows: AuditQueryRow[] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page: GetQueryResultsCommandOutput = await this.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: executionId, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
      );
      const names = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
      const data = page.ResultSet?.Rows ?? [];
      for (const row of first ? data.slice(1) : data) {
        rows.push(Object.fromEntries(names.map((name, i) => [name, row.Data?.[i]?.VarCharValue ?? null])));
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return rows;
  }
}

/** Athena's ClientRequestToken is 32 to 128 characters. */
function requestToken(name: string): string {
  return `carestack-${name.replace(/[^A-Za-z0-9-]/g, '-')}`.padEnd(32, '0').slice(0, 128);
}
