import { util, extensions } from '@aws-appsync/utils';

/**
 * Subscription.onPatientEvent(patientId) (DynamoDB data source on the table, read-only).
 *
 * Admits the subscriber only while they may see the patient, the same rule as the REST access
 * check (docs: DATA-MODEL "The access check"):
 *   (a) staff: `cognito:groups` holds admin or coordinator and the patient exists in their org
 *       (the item { PK: ORG#<org>#PAT#<patientId>, SK: PROFILE });
 *   (b) the patient themself: `custom:patientId` equals the argument;
 *   (c) a care-team member: the item { PK: ORG#<org>#PAT#<patientId>, SK: MEMBER#<sub> } exists.
 * Compliance is never admitted. Anyone else gets Unauthorized, so existence does not leak.
 *
 * The subscription filter pins events to the caller's org and the patient, and the invalidation
 * filter lets revokePatientAccess (care-team removal) end this subscription at once.
 */
const STAFF = ['admin', 'coordinator'];

function groupsOf(identity) {
  const claims = identity.claims || {};
  const groups = identity.groups || claims['cognito:groups'] || [];
  return typeof groups === 'string' ? groups.split(',') : groups;
}

export function request(ctx) {
  const claims = (ctx.identity && ctx.identity.claims) || {};
  const orgId = claims['custom:orgId'];
  if (!ctx.identity || !ctx.identity.sub || !orgId) {
    util.unauthorized();
  }
  // One GetItem: staff need the patient to exist in their org, care-team members their link.
  const staff = groupsOf(ctx.identity).some((g) => STAFF.includes(g));
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({
      PK: `ORG#${orgId}#PAT#${ctx.args.patientId}`,
      SK: staff ? 'PROFILE' : `MEMBER#${ctx.identity.sub}`,
    }),
    consistentRead: true,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const claims = ctx.identity.claims || {};
  const orgId = claims['custom:orgId'];
  const groups = groupsOf(ctx.identity);

  const isCompliance = groups.includes('compliance');
  const isStaff = groups.some((g) => STAFF.includes(g)) && !!ctx.result && ctx.result.SK === 'PROFILE';
  const isSelf = !!claims['custom:patientId'] && claims['custom:patientId'] === ctx.args.patientId;
  // A member being removed is marked `deleting` first: already gone for access.
  const isMember = !!ctx.result && ctx.result.SK === `MEMBER#${ctx.identity.sub}` && ctx.result.deleting !== true;

  if (isCompliance || !(isStaff || isSelf || isMember)) {
    util.unauthorized();
  }

  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({
      orgId: { eq: orgId },
      patientId: { eq: ctx.args.patientId },
    }),
  );
  extensions.setSubscriptionInvalidationFilter(
    util.transform.toSubscriptionFilter({
      patientId: { eq: ctx.args.patientId },
      userId: { eq: ctx.identity.sub },
    }),
  );
  return null;
}
