import { describe, expect, it } from 'vitest';
import { callerFromClaims, callerFromEvent, hasAnyRole, isStaff, parseGroups } from '../../../../lambdas/shared/auth/caller.js';
import { UnauthenticatedError } from '../../../../lambdas/shared/errors.js';
import { apiEvent } from '../support/api-events.js';

describe('parseGroups', () => {
  it.each([
    ['comma string', 'admin,coordinator', ['admin', 'coordinator']],
    ['comma string with spaces', 'admin, family', ['admin', 'family']],
    ['bracketed, space separated', '[aide clinician]', ['aide', 'clinician']],
    ['bracketed, comma separated', '[patient,family]', ['patient', 'family']],
    ['single group', 'compliance', ['compliance']],
    ['array', ['coordinator', 'aide'], ['coordinator', 'aide']],
  ])('reads a %s', (_, raw, expected) => {
    expect(parseGroups(raw)).toEqual(expected);
  });

  it('drops groups that are not roles, and anything that is not a string or array', () => {
    expect(parseGroups('admin,superuser,us-east-1_pool_Google')).toEqual(['admin']);
    expect(parseGroups(['family', 'root'])).toEqual(['family']);
    expect(parseGroups(undefined)).toEqual([]);
    expect(parseGroups(42)).toEqual([]);
    expect(parseGroups('')).toEqual([]);
  });
});

describe('callerFromClaims', () => {
  const claims = {
    sub: 'u-1',
    'custom:orgId': 'org-1',
    'cognito:groups': 'coordinator',
    email: 'c@example.test',
    name: 'Casey Coordinator',
  };

  it('builds the caller from string claims', () => {
    expect(callerFromClaims(claims)).toEqual({
      userId: 'u-1',
      orgId: 'org-1',
      roles: ['coordinator'],
      email: 'c@example.test',
      displayName: 'Casey Coordinator',
    });
  });

  it('carries custom:patientId for patient logins, and only when non-empty', () => {
    expect(callerFromClaims({ ...claims, 'cognito:groups': '[patient]', 'custom:patientId': 'p-9' })).toMatchObject({
      roles: ['patient'],
      patientId: 'p-9',
    });
    expect(callerFromClaims({ ...claims, 'custom:patientId': '' })).not.toHaveProperty('patientId');
  });

  it('falls back to the email when there is no name', () => {
    const { name: _name, ...noName } = claims;
    expect(callerFromClaims(noName).displayName).toBe('c@example.test');
  });

  it('has no roles when the groups claim is missing', () => {
    const { 'cognito:groups': _g, ...noGroups } = claims;
    expect(callerFromClaims(noGroups).roles).toEqual([]);
  });

  it.each([
    ['no claims at all', undefined],
    ['null claims', null],
    ['missing sub', { 'custom:orgId': 'org-1' }],
    ['empty sub', { sub: '', 'custom:orgId': 'org-1' }],
    ['missing org', { sub: 'u-1' }],
    ['empty org', { sub: 'u-1', 'custom:orgId': '' }],
    ['non-string org', { sub: 'u-1', 'custom:orgId': 7 }],
  ])('rejects %s with 401 unauthenticated', (_, bad) => {
    let thrown: unknown;
    try {
      callerFromClaims(bad);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnauthenticatedError);
    expect(thrown).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('reads the claims from the authorizer of an API Gateway event', () => {
    const event = apiEvent({ route: 'GET /me', caller: { userId: 'u-2', orgId: 'org-2', roles: ['aide', 'clinician'] } });
    expect(callerFromEvent(event)).toMatchObject({ userId: 'u-2', orgId: 'org-2', roles: ['aide', 'clinician'] });
    expect(() => callerFromEvent(apiEvent({ route: 'GET /me' }))).toThrow(UnauthenticatedError);
  });
});

describe('role helpers', () => {
  it('isStaff is true for admin and coordinator only', () => {
    expect(isStaff({ roles: ['admin'] })).toBe(true);
    expect(isStaff({ roles: ['family', 'coordinator'] })).toBe(true);
    expect(isStaff({ roles: ['aide', 'clinician', 'family', 'patient', 'compliance'] })).toBe(false);
  });

  it('hasAnyRole needs one role in common', () => {
    expect(hasAnyRole({ roles: ['family'] }, ['aide', 'family'])).toBe(true);
    expect(hasAnyRole({ roles: ['compliance'] }, ['aide', 'family'])).toBe(false);
    expect(hasAnyRole({ roles: [] }, ['aide'])).toBe(false);
  });
});
