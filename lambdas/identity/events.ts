import type { EventRule } from '../shared/events/event-rule.js';

/** Identity and people: the realtime events of its entities. */
export const IDENTITY_EVENT_RULES: Record<string, EventRule> = {
  Patient: { INSERT: 'PatientCreated', MODIFY: 'PatientUpdated' },
  CareTeamMember: {
    INSERT: 'CareTeamMemberAdded',
    MODIFY: 'CareTeamMemberUpdated',
    // Also ends the member's patient subscriptions (bus rule -> revokePatientAccess).
    REMOVE: 'CareTeamMemberRemoved',
    recipients: (image) => (typeof image.userId === 'string' ? [image.userId] : []),
  },
};
