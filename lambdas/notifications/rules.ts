import type { CareEvent } from '../shared/events/care-event.js';
import type { NotificationRule } from '../shared/domain/registry.js';
import { RECIPIENT_SETS, type RecipientPart } from '../shared/notifications/recipients.js';

export type { NotificationRule } from '../shared/domain/registry.js';

/*
 * Who is notified of what is each domain's to say (`notifications` in its descriptor); the table is
 * derived (NOTIFICATION_RULES in lambdas/platform-registry.ts) and handed to the fan-out. This module
 * resolves a rule's recipient parts (lambdas/shared/notifications/recipients.ts) to users.
 */

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
