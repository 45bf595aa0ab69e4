/**
 * The client package (@carestack/client) against the local stack: one full flow per domain
 * function, every call typed by the contract (a changed route or schema breaks this file's
 * compilation after `npm run docs`), every answer checked, errors as CareStackError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CareStackError, createCareStackClient, type CareStackClient } from '../../clients/typescript/src/index.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { signIn } from '../support/client.js';
import { startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
const as: Record<string, CareStackClient> = {};
let margaret: string;
const year = new Date().getUTCFullYear() + 1;

const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;
const failure = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e);

beforeAll(async () => {
  stack = await startTestStack('e2e-client');
  for (const role of ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient']) {
    const token = await signIn(stack.outputs, user(role).email, user(role).password);
    as[role] = createCareStackClient({ apiUrl: stack.outputs.ApiUrl, token: () => token });
  }
  margaret = stack.demoUsers!.patients[0]!.patientId;
});

afterAll(async () => {
  await stopTestStack(stack);
});

describe('@carestack/client, one flow per domain', () => {
  it('identity: creates, reads, updates and lists a patient; a stale version is a typed error', async () => {
    const created = await as.coordinator!.createPatient({ body: { displayName: 'Client Flow', medicalRecordNumber: 'SR-9001' } });
    expect(created).toMatchObject({ displayName: 'Client Flow', version: 1 });
    const read = await as.coordinator!.getPatient({ params: { path: { patientId: created.id } } });
    const updated = await as.coordinator!.updatePatient({ params: { path: { patientId: created.id } }, body: { version: read.version, room: '12B' } });
    expect(updated).toMatchObject({ room: '12B', version: 2 });
    const stale = await failure(as.coordinator!.updatePatient({ params: { path: { patientId: created.id } }, body: { version: 1, room: '13' } }));
    expect(stale).toBeInstanceOf(CareStackError);
    expect(stale).toMatchObject({ status: 409, code: 'version_conflict' });
    const { data } = await as.coordinator!.GET('/patients', { params: { query: { limit: 100 } } });
    expect(data?.items.map((p) => p.id)).toContain(created.id);
    expect((await as.family!.getMe()).roles).toEqual(['family']);
  });

  it('invitations: a coordinator invites a family member and sees the invitation', async () => {
    const invited = await as.coordinator!.createInvitation({ body: { email: 'client.flow@example.com', role: 'family', patientId: margaret } });
    expect(invited).toEqual({ invitationId: expect.any(String), code: expect.any(String), expiresAt: expect.any(String) });
    const list = await as.coordinator!.listInvitations();
    expect(list.items.find((i) => i.invitationId === invited.invitationId)).toMatchObject({
      email: 'client.flow@example.com', role: 'family', patientId: margaret, status: 'pending',
    });
  });

  it('assisted living and notifications: an aide reports, the dashboard counts it, the coordinator is notified and reads it', async () => {
    const before = await as.coordinator!.getPatientDashboard({ params: { path: { patientId: margaret } } });
    const incident = await as.aide!.reportIncident({
      params: { path: { patientId: margaret } },
      body: { category: 'fall', severity: 'high', details: 'Found on the floor, reported through the client', occurredAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(incident).toMatchObject({ status: 'open', patientId: margaret });
    const after = await as.coordinator!.getPatientDashboard({ params: { path: { patientId: margaret } } });
    expect(after.incidentCount).toBe(before.incidentCount + 1);
    expect(after.openIncidentCount).toBe(before.openIncidentCount + 1);
    await stack.settle();
    const inbox = await as.coordinator!.listMyNotifications({ params: { query: { unread: 'true' } } });
    const note = inbox.items.find((n) => n.entityId === incident.id);
    expect(note).toMatchObject({ type: 'IncidentReported' });
    await as.coordinator!.markNotificationRead({ params: { path: { notificationId: note!.id } } });
    const later = await as.coordinator!.listMyNotifications({ params: { query: { unread: 'true' } } });
    expect(later.items.map((n) => n.id)).not.toContain(note!.id);
  });

  it('delivery: a family member sets and reads notification preferences', async () => {
    const body = { channels: { email: true, sms: false, push: false }, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' } };
    await as.family!.setNotificationPreferences({ body });
    expect(await as.family!.getNotificationPreferences()).toMatchObject(body);
  });

  it('medications: a clinician prescribes, the family sees it; a bad time is a validation error with details', async () => {
    const body = { name: 'Metformin', dosage: '500 mg', schedule: { times: ['08:00'], timezone: 'America/New_York', startDate: `${year}-01-10` } };
    const med = await as.clinician!.createMedication({ params: { path: { patientId: margaret } }, body });
    expect(med).toMatchObject({ status: 'active', name: 'Metformin' });
    const list = await as.family!.listMedications({ params: { path: { patientId: margaret } } });
    expect(list.items.map((m) => m.id)).toContain(med.id);
    const bad = await failure(as.clinician!.createMedication({ params: { path: { patientId: margaret } }, body: { ...body, schedule: { ...body.schedule, times: ['8am'] } } }));
    expect(bad).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((bad as CareStackError).details.length).toBeGreaterThan(0);
  });

  it('messaging: a family member starts a conversation with the aide, who reads the message', async () => {
    const conversation = await as.family!.createConversation({ body: { participantIds: [user('aide').userId], patientId: margaret, subject: 'Client flow' } });
    await as.family!.sendMessage({ params: { path: { conversationId: conversation.id } }, body: { body: 'Hello from the client' } });
    const messages = await as.aide!.listMessages({ params: { path: { conversationId: conversation.id } } });
    expect(messages.items.map((m) => m.body)).toContain('Hello from the client');
  });

  it('concierge: an admin makes a clinician a provider and reads the profile back', async () => {
    const providerId = user('clinician').userId;
    const provider = await as.admin!.createProvider({
      body: { userId: providerId, specialty: 'Family medicine', timezone: 'America/New_York', slotMinutes: 30, availability: { MON: [['09:00', '12:00']] } },
    });
    expect(provider).toMatchObject({ providerId, isActive: true });
    expect(await as.admin!.getProvider({ params: { path: { providerId } } })).toMatchObject({ providerId, specialty: 'Family medicine' });
  });

  it('home health: a coordinator profiles the aide, schedules a visit and assigns it', async () => {
    const aide = user('aide').userId;
    const allWeek = Object.fromEntries(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((d) => [d, [['06:00', '22:00']]]));
    await as.coordinator!.setAideProfile({
      params: { path: { userId: aide } },
      body: { skills: ['personal_care'], languages: ['en'], homeBase: { lat: 40.05, lng: -75.0 }, serviceRadiusKm: 30, availability: allWeek, timezone: 'UTC' },
    });
    const visit = await as.coordinator!.scheduleVisit({
      params: { path: { patientId: margaret } },
      body: { serviceType: 'personal_care', scheduledStart: `${year}-03-02T10:00:00.000Z`, scheduledEnd: `${year}-03-02T11:00:00.000Z`, location: { lat: 40.0, lng: -75.0, address: '12 Elm St' } },
    });
    const assigned = await as.coordinator!.assignVisit({ params: { path: { patientId: margaret, visitId: visit.id } }, body: { aideId: aide } });
    expect(assigned).toMatchObject({ status: 'assigned', aideId: aide });
  });

  it('respite: a coordinator sets the budget and the family requests a session against it', async () => {
    await as.family!.setCaregiverProfile({ body: { fullName: 'Fay Family', caregiverType: 'family', languages: ['en'] } });
    await as.coordinator!.setRespiteBudget({ params: { path: { patientId: margaret } }, body: { hoursPerYear: 40, year } });
    const session = await as.family!.requestRespiteSession({
      params: { path: { patientId: margaret } },
      body: { startAt: `${year}-03-03T09:00:00.000Z`, endAt: `${year}-03-03T13:00:00.000Z`, location: { address: '1 Harbor Rd', lat: 40.71, lng: -74.0 }, needs: ['companionship'] },
    });
    expect(session).toMatchObject({ status: 'requested', hours: 4, budgetYear: year });
    const budget = await as.family!.getRespiteBudget({ params: { path: { patientId: margaret }, query: { year } } });
    expect(budget).toMatchObject({ hoursPerYear: 40 });
  });

  it('access reports: the patient asks who read their record and gets the report', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const started = await as.patient!.requestAccessReport({ params: { path: { patientId: margaret } }, body: { from, to: new Date().toISOString() } });
    expect(started).toMatchObject({ status: 'running' });
    let report = await as.patient!.getAccessReport({ params: { path: { patientId: margaret, reportId: started.reportId } } });
    for (let i = 0; i < 60 && report.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      report = await as.patient!.getAccessReport({ params: { path: { patientId: margaret, reportId: started.reportId } } });
    }
    expect(report.status).toBe('done');
    expect(report.rows?.length).toBeGreaterThan(0);
  });
});
