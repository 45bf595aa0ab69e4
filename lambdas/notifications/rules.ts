import type { CareEvent } from '../shared/events/care-event.js';

/**
 * Who is notified of a domain event:
 * - `careTeam`: the patient's care-team members (family, aides, clinicians, coordinators linked);
 * - `coordinators`: every coordinator of the org;
 * - `patient`: the patient's own login (the patient item's `userId`), if they have one;
 * - `eventRecipient`: the user the event is addressed to (`recipientId`);
 * - `careTeamFamily` / `careTeamClinicians`: the care-team members of that relationship;
 * - `admins`: every admin of the org.
 * The actor of the change (`data.actorId`) is never notified of their own change.
 */
export type RecipientPart = 'careTeam' | 'coordinators' | 'patient' | 'eventRecipient' | 'careTeamFamily' | 'careTeamClinicians' | 'admins';

export const RECIPIENT_SETS = {
  careTeam: ['careTeam'],
  coordinators: ['coordinators'],
  careTeamAndCoordinators: ['careTeam', 'coordinators'],
  patient: ['patient'],
  patientAndCareTeam: ['patient', 'careTeam'],
  eventRecipient: ['eventRecipient'],
  patientFamilyAndRecipient: ['patient', 'careTeamFamily', 'eventRecipient'],
  careTeamCliniciansAndCoordinators: ['careTeamClinicians', 'coordinators'],
  adminsAndCoordinators: ['admins', 'coordinators'],
  coordinatorsAndEventRecipient: ['coordinators', 'eventRecipient'],
} as const satisfies Record<string, readonly RecipientPart[]>;

export type RecipientSet = keyof typeof RECIPIENT_SETS;

/** What a recipient reads in their inbox. Short, and no PHI beyond what they may see anyway. */
export interface NotificationMessage {
  title: string;
  body: string;
}

export interface NotificationRule {
  recipients: RecipientSet;
  message: (event: CareEvent) => NotificationMessage;
}

const changed = (event: CareEvent): string[] => {
  const fields = event.data?.changedFields;
  return Array.isArray(fields) ? fields.map(String) : [];
};

/**
 * Domain event type (the bus `detail-type`) -> notification. The CDK rule to the notifications
 * function and the local bus target match exactly these keys. A domain adds its rules here.
 *
 * Titles and bodies name no person and no clinical detail: an event carries ids and changed field
 * names only, and the recipient opens the entity (which checks access again) for the rest.
 */
export const NOTIFICATION_RULES: Record<string, NotificationRule> = {
  // API.md, "Assisted living": a new or changed incident notifies the patient's care team and the
  // org's coordinators, not the person who made the change.
  IncidentReported: {
    recipients: 'careTeamAndCoordinators',
    message: () => ({ title: 'Incident reported', body: 'A new incident was reported for a resident you care for.' }),
  },
  IncidentUpdated: {
    recipients: 'careTeamAndCoordinators',
    message: (event) => {
      const fields = changed(event).filter((f) => f !== 'auditAction');
      return fields.includes('status')
        ? { title: 'Incident status changed', body: 'The status of an incident of a resident you care for has changed.' }
        : { title: 'Incident updated', body: `An incident of a resident you care for was updated${fields.length ? ` (${fields.join(', ')})` : ''}.` };
    },
  },
  // Issue 4, "Incident deadlines": the incident's reportDueBy passed and it is still not resolved
  // (the scheduled deadline marked it once): the org's coordinators, who file regulatory reports.
  IncidentReportOverdue: {
    recipients: 'coordinators',
    message: () => ({ title: 'Incident report overdue', body: 'An incident passed its reporting deadline and is not resolved.' }),
  },
  // API.md, "Medication adherence": at each scheduled time the patient is reminded; a dose still
  // due after the grace period alerts the patient and the care team. (Medication names are not in
  // the text: the event carries ids only, and the app shows the dose it opens.)
  DoseDue: {
    recipients: 'patient',
    message: () => ({ title: 'Time for your medication', body: 'A scheduled dose is due now. Confirm it once taken.' }),
  },
  DoseMissed: {
    recipients: 'patientAndCareTeam',
    message: () => ({ title: 'Missed dose', body: 'A scheduled dose was not confirmed within its grace period.' }),
  },
  // API.md, "Caregiver respite": an offer reaches the aide it is made to; notices at start - 24 h and
  // start - 1 h reach the requester and the aide (each notice event is addressed to one of them); a
  // confirmed session not checked in 15 minutes after start reaches the org's coordinators.
  RespiteOfferMade: {
    recipients: 'eventRecipient',
    message: () => ({ title: 'Respite offer', body: 'You have been offered a respite session. Accept or decline it in the app.' }),
  },
  RespiteReminder: {
    recipients: 'eventRecipient',
    message: () => ({ title: 'Respite session coming up', body: 'A confirmed respite session starts soon.' }),
  },
  RespiteSessionLate: {
    recipients: 'coordinators',
    message: () => ({ title: 'Respite session late', body: 'A confirmed respite session has not been checked in 15 minutes after its start.' }),
  },
  // API.md, "Medical concierge": at start - 24 h and start - 1 h of a booked appointment, the
  // patient, the family on the care team and the provider (the event's recipient).
  AppointmentReminder: {
    recipients: 'patientFamilyAndRecipient',
    message: (event) => ({
      title: 'Upcoming appointment',
      body: `An appointment starts in ${changed(event).includes('notice1hFor') ? 'about an hour' : 'about 24 hours'}.`,
    }),
  },
  // A final or corrected result flagged critical: the care team's clinicians and the coordinators, at once.
  LabResultCritical: {
    recipients: 'careTeamCliniciansAndCoordinators',
    message: () => ({ title: 'Critical lab result', body: 'A lab result of a patient you care for is critical. Please review and acknowledge it.' }),
  },
  // Nobody acknowledged it within the org's criticalEscalationMinutes.
  LabResultCriticalUnacknowledged: {
    recipients: 'adminsAndCoordinators',
    message: () => ({ title: 'Critical lab result not acknowledged', body: 'A critical lab result has not been acknowledged in time.' }),
  },
  // API.md, "Aides, home visits and EVV": an assigned visit not checked in 15 minutes after its start
  // (coordinators); not checked in by its end, missed (coordinators and the assigned aide, the
  // event's recipient); a supply's stock crossing its reorder level downwards (coordinators, once).
  VisitLate: {
    recipients: 'coordinators',
    message: () => ({ title: 'Visit late', body: 'An assigned home visit has not been checked in 15 minutes after its start.' }),
  },
  VisitMissed: {
    recipients: 'coordinatorsAndEventRecipient',
    message: () => ({ title: 'Visit missed', body: 'A home visit was not checked in by its scheduled end and is marked missed.' }),
  },
  SupplyLow: {
    recipients: 'coordinators',
    message: () => ({ title: 'Supply low', body: 'A supply item fell below its reorder level.' }),
  },
};

/** The event types that notify someone: the bus rule's `detail-type` list. */
export const NOTIFYING_EVENT_TYPES: readonly string[] = Object.keys(NOTIFICATION_RULES);

/** Where recipients come from (the notifications repository on the table; a fake in tests). */
export interface RecipientDirectory {
  careTeam(orgId: string, patientId: string): Promise<readonly string[]>;
  coordinators(orgId: string): Promise<readonly string[]>;
  /** The patient's own login, if the patient has one. */
  patientLogin(orgId: string, patientId: string): Promise<string | undefined>;
  /** The care-team members linked with `relationship`. */
  careTeamAs(orgId: string, patientId: string, relationship: 'family' | 'clinician'): Promise<readonly string[]>;
  admins(orgId: string): Promise<readonly string[]>;
}

/**
 * The users to notify of `event` under `rule`: the union of the rule's parts, each user once, in a
 * stable order, without the actor of the change.
 */
export async function resolveRecipients(rule: NotificationRule, event: CareEvent, directory: RecipientDirectory): Promise<string[]> {
  const out = new Set<string>();
  const patientId = event.patientId ?? undefined;
  for (const part of RECIPIENT_SETS[rule.recipients] as readonly RecipientPart[]) {
    switch (part) {
      case 'careTeam':
        if (patientId) for (const u of await directory.careTeam(event.orgId, patientId)) out.add(u);
        break;
      case 'coordinators':
        for (const u of await directory.coordinators(event.orgId)) out.add(u);
        break;
      case 'patient': {
        const login = patientId ? await directory.patientLogin(event.orgId, patientId) : undefined;
        if (login) out.add(login);
        break;
      }
      case 'eventRecipient':
        if (event.recipientId) out.add(event.recipientId);
        break;
      case 'careTeamFamily':
      case 'careTeamClinicians':
        if (patientId) for (const u of await directory.careTeamAs(event.orgId, patientId, part === 'careTeamFamily' ? 'family' : 'clinician')) out.add(u);
        break;
      case 'admins':
        for (const u of await directory.admins(event.orgId)) out.add(u);
        break;
    }
  }
  const actor = typeof event.data?.actorId === 'string' ? event.data.actorId : undefined;
  if (actor) out.delete(actor);
  return [...out];
}
