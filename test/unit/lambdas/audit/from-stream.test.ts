import { describe, expect, it } from 'vitest';
import { auditEventFromChange } from '../../../../lambdas/shared/audit/from-stream.js';
import { changedFields, toChangeRecord } from '../../../../lambdas/shared/data/stream-image.js';
import { memberItem, patientItem, streamRecord, type RecordSpec } from '../support/stream-records.js';

const rowFor = (spec: RecordSpec) => auditEventFromChange(toChangeRecord(streamRecord(spec)));

describe('toChangeRecord', () => {
  it('unmarshalls both images and keeps the sequence number and event id', () => {
    const change = toChangeRecord(streamRecord({ eventName: 'MODIFY', seq: '42', oldImage: patientItem(), newImage: patientItem({ room: '3' }) }));
    expect(change).toMatchObject({ eventId: 'evt-42', eventName: 'MODIFY', sequenceNumber: '42', byService: false });
    expect(change.newImage).toMatchObject({ room: '3', updatedByRoles: ['coordinator'] });
  });

  it('marks a delete by the DynamoDB service (TTL)', () => {
    expect(toChangeRecord(streamRecord({ eventName: 'REMOVE', seq: '1', oldImage: patientItem(), byService: true })).byService).toBe(true);
  });
});

describe('changedFields', () => {
  it('names domain fields whose values differ, never storage attributes', () => {
    const before = patientItem();
    const after = patientItem({ room: '4', displayName: 'Ada L', GSI1SK: 'ada l#p1', version: 2, updatedAt: 'later', requestId: 'req-2' });
    expect(changedFields(before, after)).toEqual(['displayName', 'room']);
  });

  it('notices removed fields and changes inside nested objects', () => {
    const before = patientItem({ facility: 'North', contact: { name: 'Bo' } });
    const after = patientItem({ contact: { name: 'Bea' } });
    expect(changedFields(before, after)).toEqual(['contact', 'facility']);
  });
});

describe('auditEventFromChange', () => {
  it('turns an INSERT into a create row naming the actor and every field set', () => {
    const row = rowFor({ eventName: 'INSERT', seq: '10', newImage: patientItem() });
    expect(row).toEqual({
      event_id: 'evt-10',
      at: '2025-03-01T10:00:00.000Z',
      org_id: 'org-1',
      actor_id: 'coord-1',
      actor_roles: ['coordinator'],
      action: 'create',
      entity_type: 'Patient',
      entity_id: 'p1',
      patient_id: 'p1',
      changed_fields: ['displayName', 'id', 'isActive', 'medicalRecordNumber', 'patientId'],
      request_id: 'req-1',
      source: 'api',
    });
  });

  it('turns a MODIFY into an update row with only the changed fields, by the last writer', () => {
    const row = rowFor({
      eventName: 'MODIFY',
      seq: '11',
      oldImage: patientItem(),
      newImage: patientItem({ room: '12', isActive: false, version: 2, updatedAt: '2025-03-02T08:00:00.000Z', updatedBy: 'admin-1', updatedByRoles: ['admin'], requestId: 'req-2' }),
    });
    expect(row).toMatchObject({
      action: 'update',
      changed_fields: ['isActive', 'room'],
      actor_id: 'admin-1',
      actor_roles: ['admin'],
      request_id: 'req-2',
      at: '2025-03-02T08:00:00.000Z',
    });
  });

  it('uses a domain verb an item names for its change', () => {
    const row = rowFor({ eventName: 'MODIFY', seq: '12', oldImage: patientItem(), newImage: patientItem({ room: '1', auditAction: 'discharge' }) });
    expect(row?.action).toBe('discharge');
  });

  it('skips the marking write before a delete (deleting=true)', () => {
    const row = rowFor({
      eventName: 'MODIFY',
      seq: '13',
      oldImage: memberItem(),
      newImage: memberItem({ deleting: true, version: 2, updatedBy: 'admin-9' }),
    });
    expect(row).toBeNull();
  });

  it('turns a REMOVE into a delete row naming the deleter from the old image', () => {
    const row = rowFor({
      eventName: 'REMOVE',
      seq: '14',
      oldImage: memberItem({ deleting: true, updatedBy: 'admin-9', updatedByRoles: ['admin'], requestId: 'req-del', updatedAt: '2025-03-03T09:00:00.000Z' }),
    });
    expect(row).toMatchObject({
      action: 'delete',
      entity_type: 'CareTeamMember',
      entity_id: 'fam-1',
      patient_id: 'p1',
      actor_id: 'admin-9',
      actor_roles: ['admin'],
      request_id: 'req-del',
      source: 'api',
      changed_fields: [],
      at: '2025-03-03T09:00:00.000Z',
    });
  });

  it('turns a TTL REMOVE by the service into a delete row by the system (API.md, "Message retention")', () => {
    const row = rowFor({ eventName: 'REMOVE', seq: '15', oldImage: patientItem({ entityType: 'Notification', id: 'n1' }), byService: true });
    expect(row).toMatchObject({ action: 'delete', actor_id: 'system', actor_roles: [], source: 'system', request_id: null, entity_id: 'n1' });
  });

  it('turns an AccessRecord INSERT into a read row about the accessed patient', () => {
    const access = {
      PK: 'ORG#org-1#ACCESS#01J',
      SK: 'ACCESS',
      id: '01J',
      entityType: 'AccessRecord',
      orgId: 'org-1',
      accessAction: 'read',
      accessedEntityType: 'Patient',
      accessedEntityId: 'p1',
      patientId: 'p1',
      expiresAt: 1_900_000_000,
      version: 1,
      createdAt: '2025-03-01T11:00:00.000Z',
      updatedAt: '2025-03-01T11:00:00.000Z',
      updatedBy: 'fam-1',
      updatedByRoles: ['family'],
      requestId: 'req-read',
      source: 'api',
    };
    expect(rowFor({ eventName: 'INSERT', seq: '16', newImage: access })).toEqual({
      event_id: 'evt-16',
      at: '2025-03-01T11:00:00.000Z',
      org_id: 'org-1',
      actor_id: 'fam-1',
      actor_roles: ['family'],
      action: 'read',
      entity_type: 'Patient',
      entity_id: 'p1',
      patient_id: 'p1',
      changed_fields: [],
      request_id: 'req-read',
      source: 'api',
    });
  });

  it('turns a sign-in AccessRecord into a sign_in row about the user', () => {
    const signIn = { entityType: 'AccessRecord', orgId: 'org-1', id: '01K', accessAction: 'sign_in', accessedEntityType: 'User', accessedEntityId: 'u-5', updatedBy: 'u-5', updatedAt: '2025-03-01T12:00:00.000Z', source: 'api' };
    expect(rowFor({ eventName: 'INSERT', seq: '17', newImage: signIn })).toMatchObject({
      action: 'sign_in', entity_type: 'User', entity_id: 'u-5', actor_id: 'u-5', patient_id: null,
    });
  });

  it('does not audit an AccessRecord expiring', () => {
    const access = { entityType: 'AccessRecord', orgId: 'org-1', accessAction: 'read', accessedEntityType: 'Patient', accessedEntityId: 'p1' };
    expect(rowFor({ eventName: 'REMOVE', seq: '18', oldImage: access, byService: true })).toBeNull();
  });

  it.each(['IdempotencyRecord', 'MrnClaim'])('skips %s items, which are storage mechanics', (entityType) => {
    const item = { PK: 'x', SK: 'y', entityType, orgId: 'org-1', updatedBy: 'u', updatedAt: '2025-03-01T10:00:00.000Z' };
    expect(rowFor({ eventName: 'INSERT', seq: '19', newImage: item })).toBeNull();
    expect(rowFor({ eventName: 'REMOVE', seq: '20', oldImage: item })).toBeNull();
  });

  it('skips items with no entity type', () => {
    expect(rowFor({ eventName: 'INSERT', seq: '21', newImage: { PK: 'x', SK: 'y' } })).toBeNull();
  });
});
