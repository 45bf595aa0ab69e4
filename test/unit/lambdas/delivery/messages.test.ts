import { describe, expect, it } from 'vitest';
import { GENERIC_LINE, renderOffApp } from '../../../../lambdas/delivery/messages.js';
import { NOTIFICATION_RULES, NOTIFICATION_TYPES, OFF_APP } from '../../../../lambdas/registry.js';

const OFF_APP_LINES = OFF_APP.lines;
const isUrgent = (type: string) => OFF_APP.urgent.has(type);
import type { CareEvent } from '../../../../lambdas/shared/events/care-event.js';

/** Every type the platform notifies of: the rules, the ones API.md names, and a type nobody knows yet. */
const TYPES = [
  ...new Set([
    ...Object.keys(NOTIFICATION_RULES),
    'DoseMissed', 'LabResultCritical', 'LabResultCriticalUnacknowledged', 'IncidentReportOverdue', 'VisitMissed', 'VisitLate',
    'AppointmentBooked', 'AppointmentUpdated', 'AppointmentReminder', 'LabResultPublished', 'MessageSent', 'VisitUpdated',
    'RespiteSessionUpdated', 'RespiteReminder', 'SupplyLow', 'SomethingNewHappened',
  ]),
];

/** Clinical detail and names that could sit in an inbox item, an event, or the entity itself. */
const PHI = ['Metformin', '500 mg', 'Margaret', 'Chen', 'hip pain', 'Room 204', 'K+ 6.8', 'mmol', 'fall', 'SR-1001', 'severity', 'details'];

describe('off-app messages carry no clinical detail', () => {
  it.each(TYPES)('%s: a short generic line and a link, nothing from the inbox item', (type) => {
    // The inbox text of the type (which may name changed fields) is what must never leave the app.
    const event: CareEvent = { id: 'e', orgId: 'o', patientId: 'p', type, entityType: 'X', entityId: 'x', at: '2030-01-01T00:00:00Z', data: { changedFields: ['details', 'severity'] } };
    const inbox = NOTIFICATION_RULES[type]?.message(event);
    const m = renderOffApp(type, '01JNOTE0000000000000000000', 'https://app.carestack.example/', OFF_APP_LINES);
    const all = JSON.stringify(m);
    for (const word of PHI) expect(all.toLowerCase(), `${type} mentions ${word}`).not.toContain(word.toLowerCase());
    if (inbox) expect(all).not.toContain(inbox.body);
    expect(m.line).toBe(OFF_APP_LINES[type] ?? GENERIC_LINE);
    expect(m.line.length).toBeLessThanOrEqual(60);
    expect(m.link).toBe('https://app.carestack.example/notifications/01JNOTE0000000000000000000');
    expect(m.text).toBe(`${m.line}. Open CareStack to see it: ${m.link}`);
    // An SMS segment of GSM characters: one message, no surprises on the bill.
    expect(m.text.length).toBeLessThanOrEqual(160);
  });

  it('has a line for every type the platform notifies of', () => {
    for (const type of Object.keys(NOTIFICATION_RULES)) expect(OFF_APP_LINES[type], type).toBeDefined();
    expect([...NOTIFICATION_TYPES]).toEqual(expect.arrayContaining(Object.keys(NOTIFICATION_RULES)));
  });

  it('urgent types are the ones API.md names', () => {
    expect(TYPES.filter(isUrgent).sort()).toEqual(['DoseMissed', 'IncidentReportOverdue', 'LabResultCritical', 'LabResultCriticalUnacknowledged', 'VisitMissed']);
  });
});
