/**
 * The bus rules that feed realtime subscribers, declared once for the CDK app
 * (lib/stateless/realtime-api.ts) and the local stack (local/stack.ts): every CareStack event goes
 * to AppSync's `publish`, and a care-team removal to `revokePatientAccess`. Patterns are in
 * EventBridge's JSON spelling (`detail-type`), as the local bus matches them.
 */
import { EVENT_SOURCE } from './care-event.js';

/** Domain event that ends a user's patient subscriptions (identity's CareTeamMember REMOVE). */
export const CARE_TEAM_MEMBER_REMOVED = 'CareTeamMemberRemoved';

export interface RealtimeBusRule {
  /** The local bus's rule name (the CDK rules keep their construct ids). */
  readonly name: string;
  readonly description: string;
  readonly pattern: { readonly source: readonly string[]; readonly 'detail-type'?: readonly string[] };
}

export const REALTIME_BUS_RULES = {
  publish: {
    name: 'to-appsync-publish',
    description: 'CareStack domain events -> AppSync publish (realtime subscribers)',
    pattern: { source: [EVENT_SOURCE] },
  },
  revokePatientAccess: {
    name: 'revoke-patient-access',
    description: 'CareTeamMemberRemoved -> AppSync revokePatientAccess (ends live subscriptions)',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [CARE_TEAM_MEMBER_REMOVED] },
  },
} as const satisfies Record<string, RealtimeBusRule>;
