/** Home-health table changes as domain events: visits to the patient and the aide, late/missed, SupplyLow once per crossing. */
import { describe, expect, it } from 'vitest';
import { careEventsFromRecord } from '../../../../lambdas/events/app.js';
import { resolveRecipients } from '../../../../lambdas/notifications/rules.js';
import { NOTIFICATION_RULES } from '../../../../lambdas/registry.js';
import { streamRecord } from '../support/stream-records.js';

const visit = { PK: 'ORG#o#PAT#p', SK: 'VISIT#v', entityType: 'Visit', orgId: 'o', patientId: 'p', id: 'v', version: 2, updatedAt: '2030-01-07T09:00:00.000Z', updatedBy: 'coord' };
const supply = { PK: 'ORG#o#SUPPLY#s', SK: 'META', entityType: 'Supply', orgId: 'o', id: 's', reorderLevel: 5, version: 2, updatedAt: '2030-01-07T09:00:00.000Z' };

describe('visit events', () => {
  it('reach the patient channel, and the assigned aide by onMyEvent', () => {
    const [event, ...more] = careEventsFromRecord(
      streamRecord({ eventName: 'MODIFY', seq: '1', oldImage: { ...visit, status: 'scheduled' }, newImage: { ...visit, status: 'assigned', aideId: 'aide-1' } }),
    );
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: 'VisitUpdated', patientId: 'p', recipientId: 'aide-1', entityType: 'Visit', entityId: 'v' });
  });

  it('still reach the patient channel with no aide', () => {
    const events = careEventsFromRecord(streamRecord({ eventName: 'INSERT', seq: '2', newImage: { ...visit, status: 'scheduled' } }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'VisitScheduled', patientId: 'p', recipientId: null });
  });

  it('name the late mark and the missed check', () => {
    const assigned = { ...visit, status: 'assigned', aideId: 'aide-1' };
    const late = careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: '3', oldImage: assigned, newImage: { ...assigned, lateNotifiedAt: 'x', updatedBy: 'scheduler' } }));
    expect(late[0]!.type).toBe('VisitLate');
    const missed = careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: '4', oldImage: assigned, newImage: { ...assigned, status: 'missed', updatedBy: 'scheduler' } }));
    expect(missed[0]!.type).toBe('VisitMissed');
  });

  it('notify coordinators of a late visit, and coordinators and the aide of a missed one', async () => {
    const directory = { careTeam: async () => ['family-1'], coordinators: async () => ['coord-1', 'coord-2'], patientLogin: async () => undefined, careTeamAs: async () => [], admins: async () => [] };
    const event = { id: 'e', orgId: 'o', patientId: 'p', recipientId: 'aide-1', type: 'VisitMissed', entityType: 'Visit', entityId: 'v', at: 'x', data: { actorId: 'scheduler' } };
    expect(await resolveRecipients(NOTIFICATION_RULES.VisitMissed!, event, directory)).toEqual(['coord-1', 'coord-2', 'aide-1']);
    expect(await resolveRecipients(NOTIFICATION_RULES.VisitLate!, { ...event, type: 'VisitLate' }, directory)).toEqual(['coord-1', 'coord-2']);
  });
});

describe('SupplyLow', () => {
  const change = (from: number, to: number) =>
    careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: `${from}-${to}`, oldImage: { ...supply, quantity: from }, newImage: { ...supply, quantity: to } }))[0]!.type;

  it('is the change that crosses the reorder level downwards, once', () => {
    expect(change(6, 5)).toBe('SupplyUpdated'); // at the level is not below it
    expect(change(5, 4)).toBe('SupplyLow');
    expect(change(7, 0)).toBe('SupplyLow');
    expect(change(4, 3)).toBe('SupplyUpdated'); // already below: no second notice
    expect(change(3, 9)).toBe('SupplyUpdated');
    expect(NOTIFICATION_RULES.SupplyLow!.recipients).toBe('coordinators');
  });
});
