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
