/**
 * Who is notified of a domain event, as a domain says it in its descriptor (`notifications`):
 * - `careTeam`: the patient's care-team members (family, aides, clinicians, coordinators linked);
 * - `coordinators`: every coordinator of the org;
 * - `patient`: the patient's own login (the patient item's `userId`), if they have one;
 * - `eventRecipient`: the user the event is addressed to (`recipientId`);
 * - `careTeamFamily` / `careTeamClinicians`: the care-team members of that relationship;
 * - `admins`: every admin of the org.
 * The actor of the change (`data.actorId`) is never notified of their own change. The notifications
 * fan-out resolves the parts (lambdas/notifications/rules.ts); the names live here, below every
 * domain, so a domain names its recipients without importing the notifications domain.
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

/** The changed field names an event carries (`data.changedFields`), for messages that name them. */
export const changedFields = (event: { data?: Record<string, unknown> | null }): string[] => {
  const fields = event.data?.changedFields;
  return Array.isArray(fields) ? fields.map(String) : [];
};
