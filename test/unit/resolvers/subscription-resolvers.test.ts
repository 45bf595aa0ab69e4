/**
 * The AppSync subscription resolvers (APPSYNC_JS, schemas/resolvers/) run only on AWS; here they run
 * against a stand-in of `@aws-appsync/utils` that records what they ask AppSync to do, so the
 * admission rule is checked against the same cases as the REST access policy. The resolver cannot
 * import the key modules, so the keys it reads are checked against them here.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CareTeamKeys, PatientKeys } from '../../../lambdas/shared/data/keys.js';

const calls = vi.hoisted(() => ({ filters: [] as unknown[], invalidations: [] as unknown[] }));

vi.mock('@aws-appsync/utils', () => {
  class Unauthorized extends Error {}
  return {
    util: {
      unauthorized: () => {
        throw new Unauthorized('Unauthorized');
      },
      error: (message: string) => {
        throw new Error(message);
      },
      dynamodb: { toMapValues: (v: Record<string, unknown>) => v },
      transform: { toSubscriptionFilter: (f: unknown) => ({ filter: f }) },
    },
    extensions: {
      setSubscriptionFilter: (f: unknown) => calls.filters.push(f),
      setSubscriptionInvalidationFilter: (f: unknown) => calls.invalidations.push(f),
      invalidateSubscriptions: (p: unknown) => calls.invalidations.push(p),
    },
  };
});

/** APPSYNC_JS resolver modules are plain JavaScript: typed here by their shape. */
interface ResolverModule {
  request(ctx: unknown): unknown;
  response(ctx: unknown): unknown;
}
const resolver = (name: string) => import(`../../../schemas/resolvers/${name}.js`) as Promise<ResolverModule>;
const onPatientEvent = await resolver('onPatientEvent');
const onMyEvent = await resolver('onMyEvent');

const identity = (sub: string, groups: string[], extra: Record<string, string> = {}) => ({
  sub,
  claims: { sub, 'custom:orgId': 'org-1', 'cognito:groups': groups, ...extra },
});

/** Runs request then response with `result` as what the GetItem found. */
function admit(id: ReturnType<typeof identity>, patientId: string, result: Record<string, unknown> | null) {
  const ctx: Record<string, unknown> = { identity: id, args: { patientId } };
  const req = onPatientEvent.request(ctx) as { key: { PK: string; SK: string } };
  ctx.result = result;
  onPatientEvent.response(ctx);
  return req.key;
}

beforeEach(() => {
  calls.filters.length = 0;
  calls.invalidations.length = 0;
});

describe('onPatientEvent resolver', () => {
  it('reads the patient record for staff and admits them when it exists in their org', () => {
    const key = admit(identity('u-1', ['coordinator']), 'p-1', PatientKeys.key('org-1', 'p-1'));
    expect(key).toEqual(PatientKeys.key('org-1', 'p-1'));
    expect(calls.filters).toEqual([{ filter: { orgId: { eq: 'org-1' }, patientId: { eq: 'p-1' } } }]);
    expect(calls.invalidations).toEqual([{ filter: { patientId: { eq: 'p-1' }, userId: { eq: 'u-1' } } }]);
  });

  it('refuses staff when the patient is not in their org', () => {
    expect(() => admit(identity('u-1', ['admin']), 'p-x', null)).toThrow('Unauthorized');
  });

  it('admits a care-team member through their MEMBER item, and not while it is being deleted', () => {
    const member = CareTeamKeys.key('org-1', 'p-1', 'u-2');
    const key = admit(identity('u-2', ['family']), 'p-1', member);
    expect(key).toEqual(member);
    expect(() => admit(identity('u-2', ['family']), 'p-1', { ...member, deleting: true })).toThrow('Unauthorized');
    expect(() => admit(identity('u-2', ['aide']), 'p-1', null)).toThrow('Unauthorized');
  });

  it('admits a patient for their own record only', () => {
    admit(identity('u-3', ['patient'], { 'custom:patientId': 'p-1' }), 'p-1', null);
    expect(() => admit(identity('u-3', ['patient'], { 'custom:patientId': 'p-1' }), 'p-2', null)).toThrow('Unauthorized');
  });

  it('never admits compliance', () => {
    expect(() => admit(identity('u-4', ['compliance']), 'p-1', CareTeamKeys.key('org-1', 'p-1', 'u-4'))).toThrow('Unauthorized');
  });

  it('refuses a token without an org', () => {
    const ctx = { identity: { sub: 'u-5', claims: { sub: 'u-5' } }, args: { patientId: 'p-1' } };
    expect(() => onPatientEvent.request(ctx)).toThrow('Unauthorized');
  });
});

describe('onMyEvent resolver', () => {
  it('filters to events addressed to the caller in their org', () => {
    const ctx = { identity: identity('u-6', ['aide']) };
    onMyEvent.response(ctx);
    expect(calls.filters).toEqual([{ filter: { recipientId: { eq: 'u-6' }, orgId: { eq: 'org-1' } } }]);
  });
});

/**
 * What AppSync hands the resolver for each token a client may present: the ID token's claims, or
 * the access token's (what Amplify sends: no email or name, `client_id` instead of `aud`, and the
 * org and patient put there by the V2_0 pre-token-generation trigger).
 */
const tokenIdentities = (sub: string, groups: string[], extra: Record<string, string> = {}) => ({
  id: { sub, username: sub, groups, claims: { sub, token_use: 'id', aud: 'client-1', email: `${sub}@example.org`, 'cognito:groups': groups, 'custom:orgId': 'org-1', ...extra } },
  access: { sub, username: sub, groups, claims: { sub, token_use: 'access', client_id: 'client-1', scope: 'aws.cognito.signin.user.admin', 'cognito:groups': groups, 'custom:orgId': 'org-1', ...extra } },
});

describe('the same answer for the ID token and the access token', () => {
  const cases: Array<[string, ReturnType<typeof tokenIdentities>, string, Record<string, unknown> | null, boolean]> = [
    ['staff, patient in org', tokenIdentities('u-1', ['coordinator']), 'p-1', PatientKeys.key('org-1', 'p-1'), true],
    ['staff, no such patient', tokenIdentities('u-1', ['admin']), 'p-x', null, false],
    ['care-team member', tokenIdentities('u-2', ['family']), 'p-1', CareTeamKeys.key('org-1', 'p-1', 'u-2'), true],
    ['not on the team', tokenIdentities('u-2', ['aide']), 'p-1', null, false],
    ['the patient', tokenIdentities('u-3', ['patient'], { 'custom:patientId': 'p-1' }), 'p-1', null, true],
    ['another patient', tokenIdentities('u-3', ['patient'], { 'custom:patientId': 'p-1' }), 'p-2', null, false],
    ['compliance', tokenIdentities('u-4', ['compliance']), 'p-1', CareTeamKeys.key('org-1', 'p-1', 'u-4'), false],
  ];

  it.each(cases)('onPatientEvent: %s', (_, ids, patientId, result, admitted) => {
    const answers = (['id', 'access'] as const).map((kind) => {
      calls.filters.length = 0;
      try {
        const key = admit(ids[kind], patientId, result);
        return { admitted: true, key, filters: [...calls.filters] };
      } catch {
        return { admitted: false };
      }
    });
    expect(answers[0]!.admitted).toBe(admitted);
    expect(answers[1]).toEqual(answers[0]);
  });

  it('onMyEvent filters the access token to the same recipient and org', () => {
    const ids = tokenIdentities('u-6', ['aide']);
    onMyEvent.response({ identity: ids.id });
    onMyEvent.response({ identity: ids.access });
    expect(calls.filters[1]).toEqual(calls.filters[0]);
  });
});
