import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { notificationId } from '../../../../lambdas/notifications/notification-id.js';
import { resolveRecipients, type RecipientDirectory } from '../../../../lambdas/notifications/rules.js';
import { NOTIFICATION_RULES, NOTIFYING_EVENT_TYPES } from '../../../../lambdas/registry.js';
import { careEventFromBusDetail, toDetail } from '../../../../lambdas/shared/events/bus-detail.js';
import type { CareEvent } from '../../../../lambdas/shared/events/care-event.js';

const directory = (over: Partial<Record<keyof RecipientDirectory, unknown>> = {}): RecipientDirectory => ({
  careTeam: async () => (over.careTeam as string[]) ?? ['aide-1', 'family-1', 'coord-1'],
  coordinators: async () => (over.coordinators as string[]) ?? ['coord-1', 'coord-2'],
  patientLogin: async () => over.patientLogin as string | undefined,
  careTeamAs: async (_o, _p, relationship) => ((over.careTeamAs as Record<string, string[]> | undefined) ?? { family: ['family-1'], clinician: ['clin-1'] })[relationship] ?? [],
  admins: async () => (over.admins as string[]) ?? ['admin-1'],
});

const event = (over: Partial<CareEvent> = {}): CareEvent => ({
  id: 'evt-1',
  orgId: 'org-1',
  patientId: 'pat-1',
  recipientId: null,
  type: 'IncidentReported',
  entityType: 'Incident',
  entityId: 'inc-1',
  at: '2025-03-01T10:00:00.000Z',
  data: { version: 1, changedFields: ['category', 'status'], actorId: 'aide-1' },
  ...over,
});

describe('notification recipients', () => {
  it('an incident notifies the care team and the coordinators, each once, never the actor', async () => {
    const users = await resolveRecipients(NOTIFICATION_RULES.IncidentReported!, event(), directory());
    expect(users.sort()).toEqual(['coord-1', 'coord-2', 'family-1']);
  });

  it('a coordinator changing an incident is not notified; the reporting aide is', async () => {
    const users = await resolveRecipients(
      NOTIFICATION_RULES.IncidentUpdated!,
      event({ type: 'IncidentUpdated', data: { changedFields: ['status'], actorId: 'coord-2' } }),
      directory(),
    );
    expect(users.sort()).toEqual(['aide-1', 'coord-1', 'family-1']);
  });

  it('patient sets reach the patient login only when there is one; eventRecipient the addressee', async () => {
    const rule = { recipients: 'patientAndCareTeam' as const, message: () => ({ title: 't', body: 'b' }) };
    expect((await resolveRecipients(rule, event({ data: null }), directory({ patientLogin: 'pat-login', careTeam: ['aide-1'] }))).sort()).toEqual([
      'aide-1',
      'pat-login',
    ]);
    expect(await resolveRecipients({ ...rule, recipients: 'patient' }, event({ data: null }), directory())).toEqual([]);
    expect(await resolveRecipients({ ...rule, recipients: 'eventRecipient' }, event({ recipientId: 'u-9' }), directory())).toEqual(['u-9']);
  });

  it('an event without a patient has no care team', async () => {
    const users = await resolveRecipients(NOTIFICATION_RULES.IncidentReported!, event({ patientId: null, data: null }), directory());
    expect(users.sort()).toEqual(['coord-1', 'coord-2']);
  });

  it('the bus rule listens to exactly the rule table', () => {
    expect([...NOTIFYING_EVENT_TYPES].sort()).toEqual([
      'AppointmentReminder', 'DoseDue', 'DoseMissed', 'IncidentReportOverdue', 'IncidentReported', 'IncidentUpdated',
      'LabResultCritical', 'LabResultCriticalUnacknowledged', 'RespiteOfferMade', 'RespiteReminder', 'RespiteSessionLate', 'SupplyLow', 'VisitLate', 'VisitMissed',
    ]);
  });

  it('reminds the patient, the family on the care team and the provider of an appointment', async () => {
    const reminder = event({ type: 'AppointmentReminder', recipientId: 'prov-1', data: { actorId: 'scheduler', changedFields: ['notice1hFor'] } });
    const users = await resolveRecipients(NOTIFICATION_RULES.AppointmentReminder!, reminder, directory({ patientLogin: 'pat-login' }));
    expect(users.sort()).toEqual(['family-1', 'pat-login', 'prov-1']);
    expect(NOTIFICATION_RULES.AppointmentReminder!.message(reminder).body).toContain('hour');
  });

  it('sends a critical lab result to the clinicians on the team and the coordinators; its escalation to admins and coordinators', async () => {
    const critical = await resolveRecipients(NOTIFICATION_RULES.LabResultCritical!, event({ type: 'LabResultCritical' }), directory());
    expect(critical.sort()).toEqual(['clin-1', 'coord-1', 'coord-2']);
    const late = await resolveRecipients(NOTIFICATION_RULES.LabResultCriticalUnacknowledged!, event({ type: 'LabResultCriticalUnacknowledged' }), directory());
    expect(late.sort()).toEqual(['admin-1', 'coord-1', 'coord-2']);
  });

  it('messages are short and say what changed without values', () => {
    const m = NOTIFICATION_RULES.IncidentUpdated!.message(event({ type: 'IncidentUpdated', data: { changedFields: ['notifiedParties'] } }));
    expect(m.title).toBe('Incident updated');
    expect(m.body).toContain('notifiedParties');
    expect(NOTIFICATION_RULES.IncidentUpdated!.message(event({ data: { changedFields: ['resolution', 'status'] } })).title).toBe('Incident status changed');
  });
});

describe('notification id', () => {
  it('is the same for the same event and recipient, different otherwise, and sorts by event time', () => {
    const a = notificationId('evt-1', 'u-1', '2025-03-01T10:00:00.000Z');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(notificationId('evt-1', 'u-1', '2025-03-01T10:00:00.000Z')).toBe(a);
    expect(notificationId('evt-1', 'u-2', '2025-03-01T10:00:00.000Z')).not.toBe(a);
    expect(notificationId('evt-2', 'u-1', '2025-03-01T10:00:00.000Z')).not.toBe(a);
    expect(decodeTime(a)).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
    expect(notificationId('evt-0', 'u-1', '2025-03-01T10:00:00.001Z') > a).toBe(true);
  });
});

describe('bus detail', () => {
  it('reads back what the events function publishes (data as a JSON string)', () => {
    const e = event();
    expect(careEventFromBusDetail(JSON.parse(JSON.stringify(toDetail(e))))).toEqual(e);
  });

  it('refuses a detail that is not a CareEvent', () => {
    expect(() => careEventFromBusDetail({ id: 'x' })).toThrow();
  });
});
