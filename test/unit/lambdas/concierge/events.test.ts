import { describe, expect, it } from 'vitest';
import { eventTypeFor } from '../../../../lambdas/events/event-map.js';
import type { ChangeRecord } from '../../../../lambdas/shared/data/stream-image.js';

const appt = { entityType: 'Appointment', id: 'A1', patientId: 'P1', providerId: 'prov-1', status: 'booked', startAt: '2027-01-10T15:00:00.000Z', version: 1 };
const change = (eventName: ChangeRecord['eventName'], oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown> | undefined) =>
  ({ eventName, oldImage, newImage }) as ChangeRecord;
const typeOf = (c: ChangeRecord) => eventTypeFor(c)?.type;

describe('concierge events', () => {
  it('names appointment changes, and tells a notice mark from an update', () => {
    expect(typeOf(change('INSERT', undefined, appt))).toBe('AppointmentBooked');
    expect(typeOf(change('MODIFY', appt, { ...appt, notice24hFor: appt.startAt }))).toBe('AppointmentReminder');
    expect(typeOf(change('MODIFY', appt, { ...appt, status: 'cancelled', version: 2 }))).toBe('AppointmentUpdated');
    expect(eventTypeFor(change('INSERT', undefined, appt))!.rule.recipients!(appt)).toEqual(['prov-1']);
  });

  it('publishes a lab result when it becomes final, never a preliminary one', () => {
    const lab = { entityType: 'LabResult', id: 'L1', patientId: 'P1', status: 'preliminary' };
    expect(typeOf(change('INSERT', undefined, lab))).toBeUndefined();
    expect(typeOf(change('MODIFY', lab, { ...lab, status: 'final' }))).toBe('LabResultPublished');
    expect(typeOf(change('INSERT', undefined, { ...lab, status: 'corrected' }))).toBe('LabResultPublished');
    expect(typeOf(change('MODIFY', { ...lab, status: 'final' }, { ...lab, status: 'final', supersededBy: 'L2' }))).toBe('LabResultUpdated');
  });

  it('raises a critical alert, and its escalation once', () => {
    const alert = { entityType: 'LabResultAlert', id: 'L1', patientId: 'P1' };
    expect(typeOf(change('INSERT', undefined, alert))).toBe('LabResultCritical');
    expect(typeOf(change('MODIFY', alert, { ...alert, escalatedAt: '2027-01-01T00:30:00Z' }))).toBe('LabResultCriticalUnacknowledged');
    expect(typeOf(change('MODIFY', alert, { ...alert, acknowledgedAt: '2027-01-01T00:10:00Z' }))).toBeUndefined();
  });
});
