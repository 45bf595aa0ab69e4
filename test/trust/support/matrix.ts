/**
 * The authorisation matrix (issue 6, part 1): route x role x relationship -> expected outcome, per
 * API.md. One entry per route, as data: who may ever call it (`roles`, else 403), what decides
 * access beyond the role (`scope`), the success status, how to build its path and body for a
 * relationship, and any resource it needs (made fresh per row through the API, so rows that
 * mutate never break later rows). `expectedOutcome` reads the table; no case is code of its own.
 */
import type { Role } from '../../../schemas/roles.js';
import type { Json } from '../../support/json.js';
import type { Need } from './needs.js';

export const ROLES: readonly Role[] = ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient', 'compliance'];

/**
 * The caller's relationship to the row's target patient (or conversation, attachment, ...). Every
 * role is tried in every relationship; where a role cannot hold one (a compliance officer cannot
 * join a care team), the row shows that the attempt gains nothing.
 * - careTeam: own org, on the patient's care team (staff linked as `coordinator`)
 * - notOnTeam: own org, not on it (a patient nobody is linked to)
 * - staffLink: own org, linked with relationship `coordinator` (the care-team word for staff);
 *   linking gives care-team access, never staff powers
 * - self: the patient themself (the demo patient login's own record)
 * - otherPatient: another patient's record (not the patient login's)
 * - otherOrg: a user of the other organisation, of the same role
 */
export const RELATIONSHIPS = ['careTeam', 'notOnTeam', 'staffLink', 'self', 'otherPatient', 'otherOrg'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

/** Who may see the row's target patient, per relationship (API.md, "Roles" and "Care team"). */
export const SEES_PATIENT: Record<Relationship, readonly Role[]> = {
  careTeam: ['admin', 'coordinator', 'aide', 'clinician', 'family'],
  notOnTeam: ['admin', 'coordinator'],
  staffLink: ['admin', 'coordinator', 'aide', 'clinician', 'family'],
  self: ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient'],
  otherPatient: ['admin', 'coordinator'],
  otherOrg: [],
};

/**
 * Who may ask for the row's target patient's access report (API.md, "Audit trail"): the patient
 * themself, staff and compliance of the patient's org (audit rows are no clinical data).
 */
export const REPORTS_ON_PATIENT: Record<Relationship, readonly Role[]> = {
  careTeam: ['admin', 'coordinator', 'compliance'],
  notOnTeam: ['admin', 'coordinator', 'compliance'],
  staffLink: ['admin', 'coordinator', 'compliance'],
  self: ['admin', 'coordinator', 'compliance', 'patient'],
  otherPatient: ['admin', 'coordinator', 'compliance'],
  otherOrg: [],
};

/**
 * Who owns the row's own resource (a conversation they take part in, an attachment they uploaded,
 * a notification addressed to them): the caller in these relationships, someone else otherwise.
 */
export const OWNS_RESOURCE: Record<Relationship, boolean> = {
  careTeam: true,
  notOnTeam: false,
  staffLink: true,
  self: true,
  otherPatient: false,
  otherOrg: false,
};

/**
 * What decides access once the role may call the route:
 * - none: the role alone (routes about the caller or the caller's own org);
 * - patient: may the caller see the target patient (else 404, existence does not leak);
 * - resource: does the caller own / take part in the target resource (else 404);
 * - accessReport: may the caller ask for the target patient's access report (REPORTS_ON_PATIENT, else 404).
 */
export type Scope = 'none' | 'patient' | 'resource' | 'accessReport';

/** A route's rows. Keys are the route table's `${method} ${path}`. */
export interface MatrixEntry {
  /** Who may ever call it, per API.md (403 `forbidden` for the others). */
  roles: readonly Role[] | 'any';
  scope: Scope;
  /** Success statuses (several only where the domain may answer a valid request either way). */
  ok: readonly number[];
  /** No token needed. @default false */
  public?: boolean;
  /** Resources the row needs, made before it runs: names of needs (support/needs/<domain>.ts). */
  needs?: readonly Need[];
  path: (r: RowContext) => string;
  body?: (r: RowContext) => unknown;
  /** For list routes of the caller's org: the target patient shows up exactly when visible. */
  listsPatient?: boolean;
}

export interface RowContext {
  role: Role;
  rel: Relationship;
  /** Unique per row. */
  n: number;
  patientId: string;
  /** A user of the caller's org to name as a participant or member. */
  colleagueId: string;
  /** Made by `needs`. */
  res: Partial<Record<Need, Json>>;
}

const STAFF: Role[] = ['admin', 'coordinator'];
const CLINICAL: Role[] = ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient'];
const REPORTERS: Role[] = ['admin', 'coordinator', 'compliance', 'patient'];
const iso = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const AIDE: Role[] = ['aide'];
const STAFF_AND_FAMILY: Role[] = ['admin', 'coordinator', 'family'];
/** A respite session's path (the row's session, made by a need). */
const rsp = (r: RowContext, s: { patientId?: string; id?: string; sessionId?: string }) => `/patients/${s.patientId ?? r.patientId}/respite-sessions/${s.sessionId ?? s.id}`;
/** An hour-long respite session of its own for each row: rows never clash on an aide's calendar. */
export const respiteSlot = (n: number) => {
  const start = Date.now() + 2 * 24 * 3_600_000 + (n % 4000) * 70 * 60_000;
  return { startAt: new Date(start).toISOString(), endAt: new Date(start + 3_600_000).toISOString() };
};
/** A distinct half-hour per row on the matrix providers' grid (all day, every day, UTC), `daysAhead` on. */
const DAY0 = Math.floor(Date.now() / 86_400_000) * 86_400_000;
const slot = (n: number, daysAhead: number) => new Date(DAY0 + daysAhead * 86_400_000 + n * 30 * 60_000).toISOString();
const LAB = { testCode: 'K', testName: 'Potassium', value: 4.2, units: 'mmol/L', referenceRange: { low: 3.5, high: 5 }, collectedAt: '2026-01-01T08:00:00Z' };
const APPT = '/patients/{patientId}/appointments/{appointmentId}';
const appt = (action: string) => (r: RowContext) => `/patients/${r.patientId}/appointments/${r.res.appointment.id}/${action}`;
const lab = (need: 'labResult' | 'finalLab' | 'criticalLab', action: string) => (r: RowContext) => `/patients/${r.patientId}/lab-results/${r.res[need].id}/${action}`;
const STAFF_AND_AIDE: Role[] = ['admin', 'coordinator', 'aide'];
/** A home visit slot of its own per row (30 minutes, 40 apart), so rows never clash on an aide's calendar. */
export const visitSlot = (n: number) => {
  const start = Date.parse('2031-01-01T00:00:00.000Z') + n * 40 * 60_000;
  return { scheduledStart: new Date(start).toISOString(), scheduledEnd: new Date(start + 30 * 60_000).toISOString() };
};
export const visitBody = (n: number) => ({ serviceType: 'personal_care', ...visitSlot(n), location: { lat: 40.0, lng: -75.0, address: `${n} Matrix Way` } });
const AVAILABILITY = { MON: [['08:00', '16:00']], WED: [['08:00', '12:00']] };

export const MATRIX: Record<string, MatrixEntry> = {
  // ---- Identity and people
  'GET /health': { roles: 'any', scope: 'none', ok: [200], public: true, path: () => '/health' },
  'GET /me': { roles: 'any', scope: 'none', ok: [200], path: () => '/me' },
  'POST /users': {
    roles: ['admin'], scope: 'none', ok: [201], path: () => '/users',
    body: (r) => ({ email: `matrix-${r.n}-${Date.now()}@example.org`, displayName: `Matrix ${r.n}`, role: 'aide' }),
  },
  'GET /users': { roles: STAFF, scope: 'none', ok: [200], path: () => '/users?limit=5' },
  'POST /patients': {
    roles: STAFF, scope: 'none', ok: [201], path: () => '/patients',
    body: (r) => ({ displayName: `Matrix ${r.n}`, medicalRecordNumber: `MX-${r.n}-${Date.now()}` }),
  },
  'GET /patients': { roles: CLINICAL, scope: 'none', ok: [200], path: () => '/patients?limit=100', listsPatient: true },
  'GET /patients/{patientId}': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}` },
  'PATCH /patients/{patientId}': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['freshPatientVersion'], path: (r) => `/patients/${r.patientId}`,
    body: (r) => ({ version: r.res.freshPatientVersion, room: `M${r.n}` }),
  },
  'GET /patients/{patientId}/care-team': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/care-team` },
  'PUT /patients/{patientId}/care-team/{userId}': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['spareMember'],
    path: (r) => `/patients/${r.patientId}/care-team/${r.res.spareMember}`, body: () => ({ relationship: 'aide' }),
  },
  'DELETE /patients/{patientId}/care-team/{userId}': {
    roles: STAFF, scope: 'patient', ok: [204], needs: ['spareOnTeam'], path: (r) => `/patients/${r.patientId}/care-team/${r.res.spareOnTeam}`,
  },
  'GET /org/settings': { roles: STAFF, scope: 'none', ok: [200], path: () => '/org/settings' },
  'PATCH /org/settings': {
    roles: ['admin'], scope: 'none', ok: [200], needs: ['orgSettingsVersion'], path: () => '/org/settings',
    body: (r) => ({ version: r.res.orgSettingsVersion, travelSpeedKmh: 30 + (r.n % 20) }),
  },

  // ---- Invitations (staff of the org; another org's invitation is 404)
  'POST /invitations': {
    roles: STAFF, scope: 'patient', ok: [201], path: () => '/invitations',
    body: (r) => ({ email: `invitee-${r.n}-${Date.now()}@example.org`, role: 'family', patientId: r.patientId }),
  },
  'GET /invitations': { roles: STAFF, scope: 'none', ok: [200], path: () => '/invitations?status=pending&limit=5' },
  'DELETE /invitations/{invitationId}': {
    roles: STAFF, scope: 'resource', ok: [204], needs: ['invitation'], path: (r) => `/invitations/${r.res.invitation}`,
  },

  // ---- Notifications
  'GET /me/notifications': { roles: 'any', scope: 'none', ok: [200], path: () => '/me/notifications?unread=true' },
  'POST /me/notifications/{notificationId}/read': {
    roles: 'any', scope: 'resource', ok: [200, 204], needs: ['notification'], path: (r) => `/me/notifications/${r.res.notification.id}/read`,
  },

  // ---- Delivery off the app: the caller's own preferences and devices, whoever they are.
  'PUT /me/notification-preferences': {
    roles: 'any', scope: 'none', ok: [200], path: () => '/me/notification-preferences',
    body: () => ({ channels: { email: true }, quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' }, mutedTypes: ['DoseDue'] }),
  },
  'GET /me/notification-preferences': { roles: 'any', scope: 'none', ok: [200], path: () => '/me/notification-preferences' },
  'POST /me/devices': {
    roles: 'any', scope: 'none', ok: [201], path: () => '/me/devices', body: (r) => ({ platform: 'fcm', token: `matrix-token-${r.role}-${r.n}` }),
  },
  'DELETE /me/devices/{deviceId}': {
    roles: 'any', scope: 'resource', ok: [204], needs: ['device'], path: (r) => `/me/devices/${r.res.device}`,
  },

  // ---- Assisted living
  'POST /patients/{patientId}/incidents': {
    roles: ['admin', 'coordinator', 'aide', 'clinician'], scope: 'patient', ok: [201], path: (r) => `/patients/${r.patientId}/incidents`,
    body: () => ({ category: 'fall', severity: 'low', details: 'Slipped near the bed, no injury', occurredAt: iso(30) }),
  },
  'GET /patients/{patientId}/incidents': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/incidents` },
  'GET /incidents': { roles: STAFF, scope: 'none', ok: [200], path: () => '/incidents?limit=10' },
  // Staff, or the reporter: the row's incident is reported by the caller when their role may report.
  'PATCH /patients/{patientId}/incidents/{incidentId}': {
    roles: ['admin', 'coordinator', 'aide', 'clinician'], scope: 'patient', ok: [200], needs: ['incident'],
    path: (r) => `/patients/${r.patientId}/incidents/${r.res.incident.id}`,
    body: (r) => ({ version: r.res.incident.version, status: 'investigating' }),
  },
  'GET /patients/{patientId}/dashboard': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/dashboard` },

  // ---- Messaging
  'POST /conversations': {
    roles: CLINICAL, scope: 'none', ok: [201], path: () => '/conversations',
    body: (r) => ({ participantIds: [r.colleagueId], subject: `Matrix ${r.n}` }),
  },
  'GET /me/conversations': { roles: 'any', scope: 'none', ok: [200], path: () => '/me/conversations' },
  // Participants, and staff of the org (its metadata and legal hold, not its messages).
  'GET /conversations/{conversationId}': {
    roles: CLINICAL, scope: 'resource', ok: [200], needs: ['orgConversation'], path: (r) => `/conversations/${r.res.orgConversation.id}`,
  },
  'PUT /conversations/{conversationId}/legal-hold': {
    roles: ['admin'], scope: 'resource', ok: [200], needs: ['orgConversation'], path: (r) => `/conversations/${r.res.orgConversation.id}/legal-hold`,
    body: (r) => ({ hold: r.n % 2 === 0, reason: `Matrix ${r.n}` }),
  },
  'POST /conversations/{conversationId}/participants': {
    roles: CLINICAL, scope: 'resource', ok: [201], needs: ['conversation', 'spareMember'],
    path: (r) => `/conversations/${r.res.conversation.id}/participants`, body: (r) => ({ userId: r.res.spareMember }),
  },
  'POST /conversations/{conversationId}/messages': {
    roles: CLINICAL, scope: 'resource', ok: [201], needs: ['conversation'],
    path: (r) => `/conversations/${r.res.conversation.id}/messages`, body: (r) => ({ body: `Matrix message ${r.n}` }),
  },
  'GET /conversations/{conversationId}/messages': {
    roles: CLINICAL, scope: 'resource', ok: [200], needs: ['conversation'], path: (r) => `/conversations/${r.res.conversation.id}/messages`,
  },
  'POST /conversations/{conversationId}/read': {
    roles: CLINICAL, scope: 'resource', ok: [200], needs: ['conversation'],
    path: (r) => `/conversations/${r.res.conversation.id}/read`, body: (r) => ({ upToMessageId: r.res.conversation.messageId }),
  },
  'POST /attachments': {
    roles: CLINICAL, scope: 'none', ok: [201], path: () => '/attachments',
    body: (r) => ({ fileName: `matrix-${r.n}.pdf`, contentType: 'application/pdf', size: 1024 }),
  },
  'GET /attachments/{attachmentId}': {
    roles: CLINICAL, scope: 'resource', ok: [200], needs: ['attachment'], path: (r) => `/attachments/${r.res.attachment}`,
  },

  // ---- Medication adherence
  'POST /patients/{patientId}/medications': {
    roles: ['admin', 'coordinator', 'clinician', 'patient'], scope: 'patient', ok: [201], path: (r) => `/patients/${r.patientId}/medications`,
    body: (r) => ({ name: `Matrixol ${r.n}`, dosage: '10 mg', schedule: { asNeeded: true, maxDosesPerDay: 4 } }),
  },
  'GET /patients/{patientId}/medications': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/medications` },
  'PATCH /patients/{patientId}/medications/{medicationId}': {
    roles: ['admin', 'coordinator', 'clinician', 'patient'], scope: 'patient', ok: [200], needs: ['medication'],
    path: (r) => `/patients/${r.patientId}/medications/${r.res.medication.id}`,
    body: (r) => ({ version: r.res.medication.version, dosage: '20 mg' }),
  },
  'GET /patients/{patientId}/doses': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/doses` },
  'POST /patients/{patientId}/doses': {
    roles: CLINICAL, scope: 'patient', ok: [201], needs: ['asNeededMedication'], path: (r) => `/patients/${r.patientId}/doses`,
    body: (r) => ({ medicationId: r.res.asNeededMedication, takenAt: iso(5), reason: 'Headache' }),
  },
  // The row's dose is an as-needed dose already taken: confirming it again may be refused as a
  // transition (409) — either answer shows the caller was let in; 403/404 would not.
  'POST /patients/{patientId}/doses/{doseId}/confirm': {
    roles: CLINICAL, scope: 'patient', ok: [200, 409], needs: ['dose'],
    path: (r) => `/patients/${r.patientId}/doses/${r.res.dose}/confirm`, body: () => ({ status: 'taken' }),
  },
  'GET /patients/{patientId}/alerts': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/alerts` },
  'GET /patients/{patientId}/adherence': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/adherence` },

  // ---- Medical concierge
  'POST /providers': {
    roles: ['admin'], scope: 'none', ok: [201], needs: ['spareClinician'], path: () => '/providers',
    body: (r) => ({ userId: r.res.spareClinician, specialty: 'Cardiology', timezone: 'Europe/Berlin', availability: { MON: [['09:00', '17:00']] }, slotMinutes: 30 }),
  },
  'GET /providers': { roles: CLINICAL, scope: 'none', ok: [200], path: () => '/providers?limit=5' },
  // Providers are the org's: another org's provider is 404 (`owned` is false only in otherOrg rows).
  'GET /providers/{providerId}': { roles: CLINICAL, scope: 'resource', ok: [200], needs: ['provider'], path: (r) => `/providers/${r.res.provider.id}` },
  // Admin, or the provider: a clinician's row changes its own profile.
  'PATCH /providers/{providerId}': {
    roles: ['admin', 'clinician'], scope: 'resource', ok: [200], needs: ['providerToChange'], path: (r) => `/providers/${r.res.providerToChange.id}`,
    body: (r) => ({ version: r.res.providerToChange.version, clinic: `Matrix clinic ${r.n}` }),
  },
  'GET /providers/{providerId}/slots': {
    roles: CLINICAL, scope: 'resource', ok: [200], needs: ['provider'],
    path: (r) => `/providers/${r.res.provider.id}/slots?from=${slot(0, 200)}&to=${slot(0, 201)}`,
  },
  'GET /providers/{providerId}/appointments': {
    roles: ['admin', 'coordinator', 'clinician'], scope: 'resource', ok: [200], needs: ['providerToChange'],
    path: (r) => `/providers/${r.res.providerToChange.id}/appointments`,
  },
  'POST /patients/{patientId}/appointments': {
    roles: CLINICAL, scope: 'patient', ok: [201], needs: ['provider'], path: (r) => `/patients/${r.patientId}/appointments`,
    body: (r) => ({ providerId: r.res.provider.id, startAt: slot(r.n, 1), reason: 'Matrix check-up' }),
  },
  'GET /patients/{patientId}/appointments': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/appointments` },
  [`GET ${APPT}`]: {
    roles: CLINICAL, scope: 'patient', ok: [200], needs: ['appointment'], path: (r) => `/patients/${r.patientId}/appointments/${r.res.appointment.id}`,
  },
  // The patient, family on the care team, staff, the provider (a clinician row's appointment is its own).
  [`POST ${APPT}/cancel`]: {
    roles: ['admin', 'coordinator', 'clinician', 'family', 'patient'], scope: 'patient', ok: [200], needs: ['appointment'], path: appt('cancel'),
    body: () => ({ reason: 'Matrix' }),
  },
  [`POST ${APPT}/reschedule`]: {
    roles: CLINICAL, scope: 'patient', ok: [200], needs: ['appointment'], path: appt('reschedule'), body: (r) => ({ startAt: slot(r.n, 120) }),
  },
  // The row's appointment lies days ahead: check-in (from 30 minutes before), completion (after
  // check-in) and no-show (after the start) are refused as transitions (409), which still shows the
  // caller was let in; 403/404 would not.
  [`POST ${APPT}/check-in`]: { roles: ['admin', 'coordinator', 'clinician'], scope: 'patient', ok: [200, 409], needs: ['appointment'], path: appt('check-in') },
  [`POST ${APPT}/complete`]: {
    roles: ['clinician'], scope: 'patient', ok: [200, 409], needs: ['appointment'], path: appt('complete'), body: () => ({ summary: 'Matrix' }),
  },
  [`POST ${APPT}/no-show`]: { roles: ['admin', 'coordinator', 'clinician'], scope: 'patient', ok: [200, 409], needs: ['appointment'], path: appt('no-show') },
  'POST /patients/{patientId}/lab-results': {
    roles: ['clinician'], scope: 'patient', ok: [201], path: (r) => `/patients/${r.patientId}/lab-results`, body: () => ({ ...LAB, status: 'final' }),
  },
  'GET /patients/{patientId}/lab-results': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/lab-results` },
  'POST /patients/{patientId}/lab-results/{labResultId}/finalize': {
    roles: ['clinician'], scope: 'patient', ok: [200], needs: ['labResult'], path: lab('labResult', 'finalize'),
  },
  'POST /patients/{patientId}/lab-results/{labResultId}/correct': {
    roles: ['clinician'], scope: 'patient', ok: [201], needs: ['finalLab'], path: lab('finalLab', 'correct'), body: () => ({ ...LAB, value: 4.4 }),
  },
  'POST /patients/{patientId}/lab-results/{labResultId}/acknowledge': {
    roles: ['admin', 'coordinator', 'clinician'], scope: 'patient', ok: [200], needs: ['criticalLab'], path: lab('criticalLab', 'acknowledge'),
  },
  'POST /patients/{patientId}/treatment-plans': {
    roles: ['clinician'], scope: 'patient', ok: [201], path: (r) => `/patients/${r.patientId}/treatment-plans`,
    body: (r) => ({ title: `Matrix plan ${r.n}`, summary: 'Rehabilitation', startDate: '2026-01-01', goals: [{ description: 'Walk 1 km' }] }),
  },
  'PATCH /patients/{patientId}/treatment-plans/{planId}': {
    roles: ['clinician'], scope: 'patient', ok: [200], needs: ['plan'], path: (r) => `/patients/${r.patientId}/treatment-plans/${r.res.plan.id}`,
    body: (r) => ({ version: r.res.plan.version, title: `Matrix plan ${r.n} (revised)` }),
  },
  'GET /patients/{patientId}/treatment-plans': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/treatment-plans` },

  // ---- Caregiver respite (needs make sessions, offers to the caller or another aide, confirmations)
  'PUT /me/caregiver-profile': {
    roles: ['family'], scope: 'none', ok: [200], path: () => '/me/caregiver-profile',
    body: (r) => ({ fullName: `Matrix Carer ${r.n}`, caregiverType: 'family' }),
  },
  // Staff read any caregiver of their org; a caregiver reads their own (the need's profile is the
  // row org's family user's).
  'GET /caregivers/{userId}/profile': {
    roles: STAFF_AND_FAMILY, scope: 'none', ok: [200], needs: ['caregiverProfile'], path: (r) => `/caregivers/${r.res.caregiverProfile}/profile`,
  },
  'PUT /patients/{patientId}/respite-budget': {
    roles: STAFF, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/respite-budget`,
    body: (r) => ({ hoursPerYear: 100 + (r.n % 50), year: 2099 }),
  },
  'GET /patients/{patientId}/respite-budget': { roles: STAFF_AND_FAMILY, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/respite-budget` },
  'POST /patients/{patientId}/respite-sessions': {
    roles: STAFF_AND_FAMILY, scope: 'patient', ok: [201], needs: ['respiteBudget'], path: (r) => `/patients/${r.patientId}/respite-sessions`,
    body: (r) => ({ ...respiteSlot(r.n), location: { address: `${r.n} Matrix Lane` } }),
  },
  'GET /patients/{patientId}/respite-sessions': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/respite-sessions?status=requested` },
  'GET /patients/{patientId}/respite-sessions/{sessionId}': {
    roles: CLINICAL, scope: 'patient', ok: [200], needs: ['respiteSession'], path: (r) => rsp(r, r.res.respiteSession),
  },
  'GET /respite-sessions': { roles: STAFF, scope: 'none', ok: [200], path: () => '/respite-sessions?status=requested&limit=10' },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers': {
    roles: STAFF, scope: 'patient', ok: [201], needs: ['respiteSession'], path: (r) => `${rsp(r, r.res.respiteSession)}/offers`,
    body: (r) => ({ aideId: r.colleagueId, expiresInMinutes: 60 }),
  },
  // The offered aide only: the row's offer is made to the caller when they own the row's resource.
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/accept': {
    roles: AIDE, scope: 'resource', ok: [200], needs: ['respiteOffer'], path: (r) => `${rsp(r, r.res.respiteOffer)}/offers/${r.res.respiteOffer.offerId}/accept`,
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/offers/{offerId}/decline': {
    roles: AIDE, scope: 'resource', ok: [200], needs: ['respiteOffer'], path: (r) => `${rsp(r, r.res.respiteOffer)}/offers/${r.res.respiteOffer.offerId}/decline`,
    body: () => ({ reason: 'Not available then' }),
  },
  // The confirmed aide only: the row's session is confirmed to the caller when they own the row's resource.
  'POST /patients/{patientId}/respite-sessions/{sessionId}/check-in': {
    roles: AIDE, scope: 'resource', ok: [200], needs: ['respiteConfirmed'], path: (r) => `${rsp(r, r.res.respiteConfirmed)}/check-in`,
    body: () => ({ location: { lat: 40.0, lng: -75.0, accuracyMeters: 20 } }),
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/check-out': {
    roles: AIDE, scope: 'resource', ok: [200], needs: ['respiteInProgress'], path: (r) => `${rsp(r, r.res.respiteInProgress)}/check-out`,
    body: () => ({ location: { lat: 40.0, lng: -75.0 }, reasonCode: 'other', note: 'Matrix' }),
  },
  'POST /patients/{patientId}/respite-sessions/{sessionId}/cancel': {
    roles: STAFF_AND_FAMILY, scope: 'patient', ok: [200], needs: ['respiteSession'], path: (r) => `${rsp(r, r.res.respiteSession)}/cancel`,
    body: () => ({ reason: 'No longer needed' }),
  },
  'GET /patients/{patientId}/respite-sessions/{sessionId}/evv': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['respiteSession'], path: (r) => `${rsp(r, r.res.respiteSession)}/evv`,
  },
  'GET /me/assignments': { roles: AIDE, scope: 'none', ok: [200], path: () => '/me/assignments' },
  // ---- Home health (aides, visits, EVV, supplies, service logs)
  // Staff of another org name an aide of their own org (the colleague); ours name the spare aide.
  'PUT /aides/{userId}': {
    // aideProfile first: other routes' rows write the other org's aide profile once (the same item
    // this row's otherOrg case writes); waiting for it keeps the two writes from racing to a 409.
    roles: STAFF, scope: 'none', ok: [200], needs: ['spareMember', 'aideProfile'],
    path: (r) => `/aides/${r.rel === 'otherOrg' ? r.colleagueId : r.res.spareMember}`,
    body: () => ({ skills: ['personal_care'], homeBase: { lat: 40.0, lng: -75.0 }, serviceRadiusKm: 25, availability: AVAILABILITY, timezone: 'America/New_York' }),
  },
  'GET /aides': { roles: STAFF, scope: 'none', ok: [200], path: () => '/aides?skill=personal_care' },
  'PATCH /me/availability': { roles: ['aide'], scope: 'none', ok: [200], needs: ['aideProfile'], path: () => '/me/availability', body: () => ({ status: 'available' }) },
  'POST /patients/{patientId}/visits': {
    roles: STAFF, scope: 'patient', ok: [201], path: (r) => `/patients/${r.patientId}/visits`, body: (r) => visitBody(r.n),
  },
  'GET /patients/{patientId}/visits': { roles: CLINICAL, scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/visits` },
  'GET /visits': { roles: STAFF, scope: 'none', ok: [200], path: () => '/visits?date=2031-01-01' },
  'GET /patients/{patientId}/visits/{visitId}/suggested-aides': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['visit'], path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/suggested-aides`,
  },
  'POST /patients/{patientId}/visits/{visitId}/assign': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['visit', 'spareMember'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/assign`, body: (r) => ({ aideId: r.res.spareMember }),
  },
  // The assigned aide: the row's visit is assigned to the caller when an aide who sees the patient.
  'POST /patients/{patientId}/visits/{visitId}/check-in': {
    roles: ['aide'], scope: 'patient', ok: [200], needs: ['assignedVisit'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.assignedVisit.id}/check-in`, body: () => ({ location: { lat: 40.0, lng: -75.0, accuracyMeters: 10 } }),
  },
  'POST /patients/{patientId}/visits/{visitId}/check-out': {
    roles: ['aide'], scope: 'patient', ok: [200], needs: ['inProgressVisit'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.inProgressVisit.id}/check-out`, body: () => ({ location: { lat: 40.0, lng: -75.0 } }),
  },
  'POST /patients/{patientId}/visits/{visitId}/cancel': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['visit'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/cancel`, body: () => ({ reason: 'Patient in hospital' }),
  },
  'GET /patients/{patientId}/visits/{visitId}/evv': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['visit'], path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/evv`,
  },
  'PATCH /patients/{patientId}/visits/{visitId}/evv': {
    roles: STAFF, scope: 'patient', ok: [200], needs: ['visit'], path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/evv`,
    body: (r) => ({ version: r.res.visit.version, ...(({ scheduledStart, scheduledEnd }) => ({ begin: scheduledStart, end: scheduledEnd }))(visitSlot(r.n)), reasonCode: 'other', note: 'Paper timesheet' }),
  },
  'GET /evv': { roles: STAFF, scope: 'none', ok: [200], path: () => '/evv?from=2031-01-01&to=2031-01-02' },
  'GET /me/route': { roles: ['aide'], scope: 'none', ok: [200], needs: ['aideProfile'], path: () => '/me/route?date=2031-01-01' },
  'POST /supplies': {
    roles: STAFF, scope: 'none', ok: [201], path: () => '/supplies',
    body: (r) => ({ name: `Gloves ${r.n}`, sku: `MX-${r.n}-${Date.now()}`, unit: 'box', quantity: 10, reorderLevel: 2 }),
  },
  'GET /supplies': { roles: STAFF_AND_AIDE, scope: 'none', ok: [200], path: () => '/supplies?below=reorder' },
  'POST /supplies/{supplyId}/adjust': {
    roles: STAFF, scope: 'none', ok: [200], needs: ['supply'], path: (r) => `/supplies/${r.res.supply.id}/adjust`, body: () => ({ delta: 5, reason: 'Delivery' }),
  },
  'POST /patients/{patientId}/visits/{visitId}/supplies': {
    roles: ['aide'], scope: 'patient', ok: [201], needs: ['assignedVisit', 'supply'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.assignedVisit.id}/supplies`, body: (r) => ({ supplyId: r.res.supply.id, quantity: 1 }),
  },
  'GET /patients/{patientId}/visits/{visitId}/supplies': {
    roles: STAFF_AND_AIDE, scope: 'patient', ok: [200], needs: ['assignedVisit'], path: (r) => `/patients/${r.patientId}/visits/${r.res.assignedVisit.id}/supplies`,
  },
  'POST /patients/{patientId}/visits/{visitId}/logs': {
    roles: ['aide'], scope: 'patient', ok: [201], needs: ['assignedVisit'],
    path: (r) => `/patients/${r.patientId}/visits/${r.res.assignedVisit.id}/logs`, body: () => ({ description: 'Helped with breakfast', serviceMinutes: 30 }),
  },
  'GET /patients/{patientId}/visits/{visitId}/logs': {
    roles: CLINICAL, scope: 'patient', ok: [200], needs: ['visit'], path: (r) => `/patients/${r.patientId}/visits/${r.res.visit.id}/logs`,
  },
  // ---- Patient records out: FHIR R4 (staff, a clinician on the care team, the patient themself)
  'GET /patients/{patientId}/fhir': {
    roles: ['admin', 'coordinator', 'clinician', 'patient'], scope: 'patient', ok: [200], path: (r) => `/patients/${r.patientId}/fhir`,
  },
  // ---- Audit trail: patient access reports
  'POST /patients/{patientId}/access-reports': {
    roles: REPORTERS, scope: 'accessReport', ok: [202], path: (r) => `/patients/${r.patientId}/access-reports`,
    body: () => ({ from: iso(24 * 60), to: iso(0) }),
  },
  // Whoever asked for it: the row's report is the caller's own when they may ask for it in that
  // relationship (see resolveNeed), else another staff member's of the own org.
  'GET /patients/{patientId}/access-reports/{reportId}': {
    roles: REPORTERS, scope: 'resource', ok: [200], needs: ['accessReport'],
    path: (r) => `/patients/${r.patientId}/access-reports/${r.res.accessReport}`,
  },
};

export type Outcome = { ok: readonly number[] } | { status: 403 | 404 };

/** The contract's answer for one row. */
export function expectedOutcome(entry: MatrixEntry, role: Role, rel: Relationship, ownsResource: boolean): Outcome {
  if (entry.roles !== 'any' && !entry.roles.includes(role)) return { status: 403 };
  if (entry.scope === 'patient' && !SEES_PATIENT[rel].includes(role)) return { status: 404 };
  if (entry.scope === 'resource' && !ownsResource) return { status: 404 };
  if (entry.scope === 'accessReport' && !REPORTS_ON_PATIENT[rel].includes(role)) return { status: 404 };
  return { ok: entry.ok };
}
