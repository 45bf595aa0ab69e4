import type { Item } from '../data/db.js';
import { changedFields, type ChangeRecord } from '../data/stream-image.js';
import type { AuditEvent } from './audit-event.js';

/**
 * Items that are storage mechanics, not care data: their effect is audited on the entity they
 * serve (a patient's MRN change shows on the Patient; an idempotent replay creates nothing). Counters
 * kept in the same transaction as the entity they count (a user's unread count, a patient's
 * dashboard) change only with an audited Notification or Incident. An access report's row chunks
 * are copies of audit rows, stored with the report's audited completion.
 */
const NOT_AUDITED = new Set(['IdempotencyRecord', 'MrnClaim', 'UserCounters', 'PatientDashboard', 'AsNeededCount', 'AccessReportRows']);

/**
 * One stream record -> at most one audit row. The actor is the item's last writer (every write
 * stamps `updatedBy`, `updatedByRoles`, `requestId`, `source`); a delete is preceded by a write
 * that marks the item `deleting` with the deleter, so the REMOVE's old image names them.
 * Reads and sign-ins arrive as `AccessRecord` inserts.
 */
export function auditEventFromChange(change: ChangeRecord): AuditEvent | null {
  const image = change.newImage ?? change.oldImage;
  const entityType = image?.entityType;
  if (!image || typeof entityType !== 'string' || NOT_AUDITED.has(entityType)) return null;

  if (entityType === 'AccessRecord') {
    if (change.eventName !== 'INSERT') return null; // its expiry is no event
    return row(change, image, {
      action: String(image.accessAction),
      entity_type: String(image.accessedEntityType),
      entity_id: String(image.accessedEntityId),
      changed_fields: [],
      ...(typeof image.accessCount === 'number' ? { resource_count: image.accessCount } : {}),
    });
  }

  switch (change.eventName) {
    case 'INSERT':
      return row(change, image, { action: 'create', changed_fields: changedFields(undefined, change.newImage) });
    case 'MODIFY':
      // The marking write before a delete: the REMOVE that follows is the audited event.
      if (change.newImage?.deleting === true) return null;
      return row(change, image, {
        action: typeof image.auditAction === 'string' ? image.auditAction : 'update',
        changed_fields: changedFields(change.oldImage, change.newImage),
      });
    case 'REMOVE':
      return change.byService
        ? // DynamoDB's own TTL deletion (message retention, expired records): a deletion by the system (API.md).
          row(change, image, { action: 'delete', actor_id: 'system', actor_roles: [], source: 'system', request_id: null, changed_fields: [] })
        : row(change, image, { action: 'delete', changed_fields: [] });
  }
}

function row(change: ChangeRecord, image: Item, fields: Partial<AuditEvent>): AuditEvent {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    event_id: change.eventId,
    at: str(image.updatedAt) ?? new Date().toISOString(),
    org_id: str(image.orgId) ?? '',
    actor_id: str(image.updatedBy) ?? 'system',
    actor_roles: Array.isArray(image.updatedByRoles) ? image.updatedByRoles.map(String) : [],
    action: 'update',
    entity_type: String(image.entityType),
    entity_id: str(image.id) ?? str(image.SK) ?? '',
    patient_id: str(image.patientId),
    changed_fields: [],
    request_id: str(image.requestId),
    source: (str(image.source) as AuditEvent['source'] | null) ?? 'system',
    ...fields,
  };
}
