import { describe, expect, it } from 'vitest';
import { IDENTITY_EVENT_RULES } from '../../../../lambdas/identity/events.js';
import { CARE_TEAM_MEMBER_REMOVED, REALTIME_BUS_RULES } from '../../../../lambdas/shared/events/realtime-rules.js';

describe('realtime bus rules', () => {
  it('revoke on the event identity emits when a care-team member is removed', () => {
    // Identity names its events itself: a rename there must not silently stop the revocation.
    expect(IDENTITY_EVENT_RULES.CareTeamMember?.REMOVE).toBe(CARE_TEAM_MEMBER_REMOVED);
    expect(REALTIME_BUS_RULES.revokePatientAccess.pattern['detail-type']).toEqual([CARE_TEAM_MEMBER_REMOVED]);
  });
});
