/**
 * Demo data for the local stack: two organisations, so isolation can be seen (API.md, "Outputs").
 * Seeding goes through the identity service, like any admin would, acting as `system`.
 */
import type { Role } from '../schemas/roles.js';
import { IdentityRepository } from '../lambdas/identity/repository.js';
import { IdentityService } from '../lambdas/identity/service.js';
import type { UserDirectory } from '../lambdas/identity/user-directory.js';
import type { Caller } from '../lambdas/shared/auth/caller.js';
import { AccessPolicy } from '../lambdas/shared/auth/policy.js';
import type { Clock } from '../lambdas/shared/clock.js';
import type { Db } from '../lambdas/shared/data/db.js';
import type { WriteContext } from '../lambdas/shared/data/write-context.js';

export interface DemoUser {
  email: string;
  password: string;
  role: Role;
  userId: string;
  displayName: string;
}

export interface DemoOrg {
  orgId: string;
  name: string;
  users: DemoUser[];
  patients: Array<{ patientId: string; displayName: string; medicalRecordNumber: string }>;
}

export type DemoUsers = DemoOrg & { otherOrg: DemoOrg };

export interface SeedDeps {
  db: Db;
  directory: UserDirectory;
  clock: Clock;
}

const FIRST: Omit<DemoOrg, 'users' | 'patients'> = { orgId: 'sunrise-care', name: 'Sunrise Assisted Living' };
const OTHER: Omit<DemoOrg, 'users' | 'patients'> = { orgId: 'harbor-health', name: 'Harbor Home Health' };

export async function seedDemo(deps: SeedDeps): Promise<DemoUsers> {
  const first = await seedOrg(deps, FIRST, 'sunrise.example', {
    roles: ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient', 'compliance'],
    patients: [
      { displayName: 'Margaret Chen', medicalRecordNumber: 'SR-1001', facility: 'Sunrise North', room: '204', timezone: 'America/New_York' },
      { displayName: 'Walter Okafor', medicalRecordNumber: 'SR-1002', facility: 'Sunrise North', room: '118', timezone: 'America/New_York' },
    ],
  });
  const other = await seedOrg(deps, OTHER, 'harbor.example', {
    roles: ['admin', 'coordinator', 'aide'],
    patients: [{ displayName: 'Ines Duarte', medicalRecordNumber: 'HB-2001', timezone: 'America/Chicago' }],
  });
  return { ...first, otherOrg: other };
}

async function seedOrg(
  deps: SeedDeps,
  org: Omit<DemoOrg, 'users' | 'patients'>,
  domain: string,
  plan: { roles: Role[]; patients: Array<{ displayName: string; medicalRecordNumber: string; facility?: string; room?: string; timezone?: string }> },
): Promise<DemoOrg> {
  const repo = new IdentityRepository(deps.db);
  const service = new IdentityService(repo, new AccessPolicy(repo), deps.directory, deps.db);
  const system: Caller = { userId: 'system', orgId: org.orgId, roles: ['admin'], email: '', displayName: 'System' };
  const ctx = (): WriteContext => ({
    orgId: org.orgId,
    actorId: 'system',
    actorRoles: ['admin'],
    requestId: 'seed',
    source: 'system',
    now: deps.clock.now().toISOString(),
  });

  const patients = [];
  for (const p of plan.patients) {
    const created = await service.createPatient(ctx(), p);
    patients.push({ patientId: created.id, displayName: created.displayName, medicalRecordNumber: created.medicalRecordNumber });
  }
  const users: DemoUser[] = [];
  for (const role of plan.roles) {
    const displayName = `${role[0]!.toUpperCase()}${role.slice(1)} at ${org.name}`;
    const created = await service.createUser(ctx(), {
      email: `${role}@${domain}`,
      displayName,
      role,
      ...(role === 'patient' ? { patientId: patients[0]!.patientId } : {}),
    });
    users.push({ email: created.email, password: created.password!, role, userId: created.userId, displayName });
  }
  // The first patient's care team: the org's aide, clinician and family member.
  const relationships = { aide: 'aide', clinician: 'clinician', family: 'family' } as const;
  for (const user of users) {
    const relationship = relationships[user.role as keyof typeof relationships];
    if (relationship) await service.putCareTeamMember(system, ctx(), patients[0]!.patientId, user.userId, relationship);
  }
  return { ...org, users, patients };
}
