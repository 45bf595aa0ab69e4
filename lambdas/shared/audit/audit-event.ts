/**
 * One row of `audit_events` (API.md, "Audit trail"). Stored as gzipped NDJSON, one object per
 * stream batch and org/day, under `audit/org=<orgId>/dt=<YYYY-MM-DD>/`. The partition columns
 * `org` and `dt` come from the key, not the row.
 */
export interface AuditEvent {
  event_id: string;
  at: string;
  org_id: string;
  actor_id: string;
  actor_roles: string[];
  action: string;
  entity_type: string;
  entity_id: string;
  patient_id: string | null;
  changed_fields: string[];
  request_id: string | null;
  source: 'api' | 'scheduler' | 'system';
}

/** Column order of `audit_events`, shared by the Glue table (CDK) and the DuckDB view (local). */
export const AUDIT_COLUMNS = [
  { name: 'event_id', type: 'string' },
  { name: 'at', type: 'string' },
  { name: 'org_id', type: 'string' },
  { name: 'actor_id', type: 'string' },
  { name: 'actor_roles', type: 'array<string>' },
  { name: 'action', type: 'string' },
  { name: 'entity_type', type: 'string' },
  { name: 'entity_id', type: 'string' },
  { name: 'patient_id', type: 'string' },
  { name: 'changed_fields', type: 'array<string>' },
  { name: 'request_id', type: 'string' },
  { name: 'source', type: 'string' },
] as const;

export const AUDIT_PREFIX = 'audit/';

/** `audit/org=<orgId>/dt=<YYYY-MM-DD>/<objectId>.json.gz` — the bucket's and the local store's layout. */
export function auditObjectKey(orgId: string, dt: string, objectId: string): string {
  return `${AUDIT_PREFIX}org=${orgId}/dt=${dt}/${objectId}.json.gz`;
}

/**
 * Write-once object storage for audit objects: S3 with Object Lock on AWS, files under
 * `.carestack/audit/` locally. `put` never overwrites: an existing key answers `exists`, which is
 * how a redelivered batch stays a single copy.
 */
export interface AuditSink {
  put(key: string, body: Uint8Array): Promise<'written' | 'exists'>;
}
