import { describe, expect, it } from 'vitest';
import { careEventsFromRecord } from '../../../../lambdas/events/app.js';
import { NOTIFICATION_RULES } from '../../../../lambdas/registry.js';
import { streamRecord } from '../support/stream-records.js';

const base = { orgId: 'org-1', patientId: 'pat-1', updatedAt: '2030-01-01T00:00:00.000Z', updatedBy: 'coord-1', version: 1 };
const session = (over: Record<string, unknown> = {}) => ({ ...base, PK: 'ORG#org-1#PAT#pat-1', SK: 'RESPITE#s1', entityType: 'RespiteSession', id: 's1', status: 'requested', ...over });

describe('respite events', () => {
  it('reach the patient channel on every session change; the late mark is RespiteSessionLate', () => {
    const [made] = careEventsFromRecord(streamRecord({ eventName: 'INSERT', seq: '1', newImage: session() }));
    expect(made).toMatchObject({ type: 'RespiteSessionUpdated', patientId: 'pat-1', recipientId: null, entityId: 's1' });
    const confirmed = careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: '2', oldImage: session(), newImage: session({ status: 'confirmed', version: 2 }) }));
    expect(confirmed.map((e) => e.type)).toEqual(['RespiteSessionUpdated']);
    const late = careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: '3', oldImage: session({ status: 'confirmed' }), newImage: session({ status: 'confirmed', lateNotifiedAt: '2030-01-02T09:15:00.000Z', updatedBy: 'scheduler' }) }));
    expect(late.map((e) => e.type)).toEqual(['RespiteSessionLate']);
    expect(NOTIFICATION_RULES.RespiteSessionLate?.recipients).toBe('coordinators');
  });

  it('address offers to the offered aide only, and notices to the requester and the aide', () => {
    const offer = { ...base, PK: 'ORG#org-1#PAT#pat-1', SK: 'RESPITE#s1#OFFER#o1', entityType: 'RespiteOffer', id: 'o1', sessionId: 's1', aideId: 'aide-1', status: 'offered' };
    const [made] = careEventsFromRecord(streamRecord({ eventName: 'INSERT', seq: '4', newImage: offer }));
    expect(made).toMatchObject({ type: 'RespiteOfferMade', recipientId: 'aide-1', patientId: null, data: { sessionId: 's1', patientId: 'pat-1' } });
    const notice = { ...base, PK: 'ORG#org-1#PAT#pat-1', SK: 'RESPITE#s1#NOTICE#24h', entityType: 'RespiteReminder', id: 's1-24h', sessionId: 's1', recipientIds: ['fam-1', 'aide-1'], updatedBy: 'scheduler' };
    const events = careEventsFromRecord(streamRecord({ eventName: 'INSERT', seq: '5', newImage: notice }));
    expect(events.map((e) => [e.type, e.recipientId, e.patientId])).toEqual([['RespiteReminder', 'fam-1', null], ['RespiteReminder', 'aide-1', null]]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(NOTIFICATION_RULES.RespiteReminder?.recipients).toBe('eventRecipient');
  });
});
