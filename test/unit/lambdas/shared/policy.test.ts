import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../schemas/roles.js';
import type { Caller } from '../../../../lambdas/shared/auth/caller.js';
import { AccessPolicy, type MembershipReader } from '../../../../lambdas/shared/auth/policy.js';
import { NotFoundError } from '../../../../lambdas/shared/errors.js';

/** Care teams as a set of `org|patient|user`; records every lookup so tests can see who asked. */
class FakeMemberships implements MembershipReader {
  readonly lookups: string[] = [];
  constructor(private readonly links: Set<string> = new Set()) {}
  async isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean> {
    const key = `${orgId}|${patientId}|${userId}`;
    this.lookups.push(key);
    return this.links.has(key);
  }
}

const caller = (roles: Role[], extra: Partial<Caller> = {}): Caller => ({
  userId: 'u-1',
  orgId: 'org-1',
  roles,
  email: 'u@example.test',
  displayName: 'U',
  ...extra,
});

describe('AccessPolicy.canSeePatient', () => {
  it.each<Role>(['admin', 'coordinator'])('lets %s see every patient of the org without a lookup', async (role) => {
    const memberships = new FakeMemberships();
    const policy = new AccessPolicy(memberships);
    await expect(policy.canSeePatient(caller([role]), 'p-any')).resolves.toBe(true);
    expect(memberships.lookups).toEqual([]);
  });

  it('lets a patient see their own record and no other', async () => {
    const policy = new AccessPolicy(new FakeMemberships());
    const me = caller(['patient'], { patientId: 'p-self' });
    await expect(policy.canSeePatient(me, 'p-self')).resolves.toBe(true);
    await expect(policy.canSeePatient(me, 'p-other')).resolves.toBe(false);
  });

  it('does not treat a patientId claim without the patient role as a record of their own', async () => {
    const policy = new AccessPolicy(new FakeMemberships());
    await expect(policy.canSeePatient(caller(['aide'], { patientId: 'p-1' }), 'p-1')).resolves.toBe(false);
  });

  it.each<Role>(['aide', 'clinician', 'family'])('lets a %s on the care team see the patient', async (role) => {
    const memberships = new FakeMemberships(new Set(['org-1|p-1|u-1']));
    const policy = new AccessPolicy(memberships);
    await expect(policy.canSeePatient(caller([role]), 'p-1')).resolves.toBe(true);
    expect(memberships.lookups).toEqual(['org-1|p-1|u-1']);
  });

  it('refuses family not on the team, and asks about the caller in the caller\'s org', async () => {
    const memberships = new FakeMemberships(new Set(['org-1|p-1|someone-else', 'org-2|p-1|u-1']));
    const policy = new AccessPolicy(memberships);
    await expect(policy.canSeePatient(caller(['family']), 'p-1')).resolves.toBe(false);
    expect(memberships.lookups).toEqual(['org-1|p-1|u-1']);
  });

  it('never lets compliance see a patient, even with a care-team link', async () => {
    const memberships = new FakeMemberships(new Set(['org-1|p-1|u-1']));
    const policy = new AccessPolicy(memberships);
    await expect(policy.canSeePatient(caller(['compliance']), 'p-1')).resolves.toBe(false);
    expect(memberships.lookups).toEqual([]);
  });

  it('refuses a caller with no roles', async () => {
    const policy = new AccessPolicy(new FakeMemberships(new Set(['org-1|p-1|u-1'])));
    await expect(policy.canSeePatient(caller([]), 'p-1')).resolves.toBe(false);
  });
});

describe('AccessPolicy.assertCanSeePatient', () => {
  it('throws the same 404 as a missing patient when the caller may not see it', async () => {
    const policy = new AccessPolicy(new FakeMemberships());
    const err = await policy.assertCanSeePatient(caller(['family']), 'p-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', message: 'Patient not found' });
  });

  it('resolves when the caller may see the patient', async () => {
    const policy = new AccessPolicy(new FakeMemberships(new Set(['org-1|p-1|u-1'])));
    await expect(policy.assertCanSeePatient(caller(['clinician']), 'p-1')).resolves.toBeUndefined();
  });
});

describe('AccessPolicy.canManagePatients', () => {
  it('is for staff only', () => {
    const policy = new AccessPolicy(new FakeMemberships());
    expect(policy.canManagePatients(caller(['coordinator']))).toBe(true);
    expect(policy.canManagePatients(caller(['clinician', 'family']))).toBe(false);
  });
});

describe('AccessPolicy.readAsViewer', () => {
  it('runs the read alongside the care-team lookup and returns it to a member', async () => {
    // The lookup answers only once the read has started: a check-then-read policy would never
    // get there (and the test would time out).
    let readStarted!: () => void;
    const started = new Promise<void>((resolve) => (readStarted = resolve));
    const members: MembershipReader = { isCareTeamMember: async () => started.then(() => true) };
    const policy = new AccessPolicy(members);
    const read = async () => {
      readStarted();
      return 'record';
    };
    await expect(policy.readAsViewer(caller(['aide']), 'p-1', read)).resolves.toBe('record');
  });

  it('withholds what was read from a caller who may not see the patient (404)', async () => {
    const policy = new AccessPolicy(new FakeMemberships());
    await expect(policy.readAsViewer(caller(['family']), 'p-1', async () => 'record')).rejects.toBeInstanceOf(NotFoundError);
    await expect(policy.readAsViewer(caller(['compliance']), 'p-1', async () => 'record')).rejects.toBeInstanceOf(NotFoundError);
  });

  it("with 'existing', answers 404 to staff for a patient their org does not have", async () => {
    const policy = new AccessPolicy(new FakeMemberships(), { patientExists: async (_org, id) => id === 'p-1' });
    await expect(policy.readAsViewer(caller(['coordinator']), 'p-1', async () => [], 'existing')).resolves.toEqual([]);
    await expect(policy.readAsViewer(caller(['coordinator']), 'p-9', async () => [], 'existing')).rejects.toBeInstanceOf(NotFoundError);
  });
});
