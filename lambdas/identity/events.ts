import type { EventRule } from '../shared/events/event-rule.js';
import { CARE_TEAM_MEMBER_REMOVED } from '../shared/events/realtime-rules.js';

/** Identity and people: the realtime events of its entities. */
export const IDENTITY_EVENT_RULES: Record<string, EventRule> = {
  Patient: { INSERT: 'PatientCreated', MODIFY: 'PatientUpdated' },
  CareTeamMember: {
    INSERT: 'CareTeamMemberAdded',
    MODIFY: 'CareTeamMemberUpdated',
    // Also ends the member's patient subscriptions (bus rule -> revokePatientAccess).
    REMOVE: CARE_TEAM_MEMBER_REMOVED,
    recipients: (image) => (typeof image.userId === 'string' ? [image.userId] : []),
  },
};
