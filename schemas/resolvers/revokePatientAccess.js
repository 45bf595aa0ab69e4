import { extensions } from '@aws-appsync/utils';

/**
 * Mutation.revokePatientAccess (NONE data source, IAM only: the EventBridge rule on
 * CareTeamMemberRemoved). Ends every open onPatientEvent subscription of that user for that
 * patient: their invalidation filter (onPatientEvent.js) matches this payload.
 */
export function request() {
  return { payload: null };
}

export function response(ctx) {
  extensions.invalidateSubscriptions({
    subscriptionField: 'onPatientEvent',
    payload: { patientId: ctx.args.patientId, userId: ctx.args.userId },
  });
  return true;
}
