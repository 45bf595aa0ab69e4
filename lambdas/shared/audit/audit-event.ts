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
  /** How many records an access handed out (a FHIR export's resources); null for every other row. */
  resource_count?: number | null;
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
  { name: 'resource_count', type: 'int' },
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

export const AUDIT_JOURNAL_PREFIX = 'audit-journal/';

/** Stream sequence numbers are decimal strings of 21 to 40 digits; padded, they sort as numbers. */
export const padSequence = (seq: string): string => seq.padStart(40, '0');

/**
 * `audit-journal/<last>-<first>.json.gz`, both padded: sorted by the last sequence number, so one
 * LIST starting after a record's number finds every plan that may hold it (docs/audit.md).
 */
export function auditJournalKey(first: string, last: string): string {
  return `${AUDIT_JOURNAL_PREFIX}${padSequence(last)}-${padSequence(first)}.json.gz`;
}

/** The first and last sequence numbers a journal key names (unpadded), or undefined. */
export function parseAuditJournalKey(key: string): { first: string; last: string } | undefined {
  const m = /^audit-journal\/(\d{40})-(\d{40})\.json\.gz$/.exec(key);
  if (!m) return undefined;
  const unpad = (s: string) => s.replace(/^0+(?=\d)/, '');
  return { first: unpad(m[2]!), last: unpad(m[1]!) };
}

/**
 * The audit function's write-ahead plans: before it stores a batch's objects it stores which
 * objects (keys and bodies) it is about to store, so any later attempt at the same records stores
 * exactly those again (docs/audit.md, "Exactly once"). A private bucket with a short lifecycle on
 * AWS (no Object Lock: plans are not the trail), files under `.carestack/audit-journal/` locally.
 */
export interface AuditJournal {
  /** Write once, as `AuditSink.put`. */
  put(key: string, body: Uint8Array): Promise<'written' | 'exists'>;
  /** Keys under `audit-journal/` after `startAfter`, in key order, at most `limit`. */
  keysAfter(startAfter: string, limit: number): Promise<string[]>;
  get(key: string): Promise<Uint8Array>;
}
