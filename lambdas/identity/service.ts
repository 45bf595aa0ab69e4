import { ulid } from 'ulid';
import type {
  CareTeamMember,
  CreatedUser,
  CreatePatientBody,
  CreateUserBody,
  Me,
  Patient,
  Relationship,
  UpdatePatientBody,
  User,
} from '../../schemas/identity.js';
import type { Role } from '../../schemas/roles.js';
import { isStaff, type Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { IdentityRepository } from './repository.js';
import type { UserDirectory } from './user-directory.js';


/** The identity and people use cases (API.md, "Identity and people"). No HTTP, no SDK here. */
export class IdentityService {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly policy: AccessPolicy,
    private readonly directory: UserDirectory,
    private readonly db: Db,
  ) {}

  me(caller: Caller): Me {
    return {
      userId: caller.userId,
      orgId: caller.orgId,
      roles: caller.roles,
      email: caller.email,
      displayName: caller.displayName,
      ...(caller.patientId ? { patientId: caller.patientId } : {}),
    };
  }

  async createUser(ctx: WriteContext, body: CreateUserBody, idem?: IdempotencyRequest): Promise<CreatedUser> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as CreatedUser;
    if (body.patientId) {
      const patient = await this.repo.getPatient(ctx.orgId, body.patientId, true);
      if (!patient) throw new NotFoundError('Patient not found');
      if (patient.userId) throw new ConflictError('This patient already has a login');
    }
    const login = await this.directory.createLogin({ ...body, orgId: ctx.orgId });
    const user: User = {
      userId: login.userId,
      orgId: ctx.orgId,
      email: body.email,
      displayName: body.displayName,
      role: body.role,
      createdAt: ctx.now,
      ...(body.patientId ? { patientId: body.patientId } : {}),
    };
    const response: CreatedUser = {
      userId: user.userId,
      email: user.email,
      role: user.role,
      displayName: user.displayName,
      ...(user.patientId ? { patientId: user.patientId } : {}),
    };
    try {
      // The stored replay never holds the password.
      await this.repo.createUser(ctx, user, idem, response);
    } catch (err) {
      await this.directory.deleteLogin(body.email).catch(() => undefined);
      throw err;
    }
    return login.password ? { ...response, password: login.password } : response;
  }

  listUsers(caller: Caller, role: Role | undefined, page: PageRequest): Promise<Page<User>> {
    return this.repo.listUsers(caller.orgId, role, page);
  }

  async createPatient(ctx: WriteContext, body: CreatePatientBody, idem?: IdempotencyRequest): Promise<Patient> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Patient;
    const patient: Patient = {
      ...body,
      id: ulid(Date.parse(ctx.now)),
      orgId: ctx.orgId,
      isActive: true,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    return this.repo.createPatient(ctx, patient, idem);
  }

  listPatients(caller: Caller, page: PageRequest): Promise<Page<Patient>> {
    if (isStaff(caller)) return this.repo.listOrgPatients(caller.orgId, page);
    if (caller.roles.includes('patient') && caller.patientId) return this.ownRecord(caller, caller.patientId);
    return this.repo.listMemberPatients(caller.orgId, caller.userId, page);
  }

  /** Reading a patient record is audited (the access record travels the stream like a change). */
  async getPatient(caller: Caller, ctx: WriteContext, patientId: string): Promise<Patient> {
    const patient = await this.policy.readAsViewer(caller, patientId, () => this.repo.getPatient(caller.orgId, patientId));
    if (!patient) throw new NotFoundError('Patient not found');
    await recordAccess(this.db, ctx, { action: 'read', entityType: 'Patient', entityId: patientId, patientId });
    return patient;
  }

  async updatePatient(caller: Caller, ctx: WriteContext, patientId: string, body: UpdatePatientBody): Promise<Patient> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const current = await this.repo.getPatient(caller.orgId, patientId, true);
    if (!current) throw new NotFoundError('Patient not found');
    const { version, ...changes } = body;
    return this.repo.updatePatient(ctx, current, changes as Partial<Patient>, version);
  }

  async careTeam(caller: Caller, patientId: string): Promise<{ items: CareTeamMember[] }> {
    await this.policy.assertCanSeePatient(caller, patientId);
    // Staff pass the policy for any id of their org: a patient that does not exist (or is another
    // org's) must answer 404, not an empty team.
    const [exists, items] = await Promise.all([this.repo.patientExists(caller.orgId, patientId), this.repo.listCareTeam(caller.orgId, patientId)]);
    if (!exists) throw new NotFoundError('Patient not found');
    return { items };
  }

  async putCareTeamMember(
    caller: Caller,
    ctx: WriteContext,
    patientId: string,
    userId: string,
    relationship: Relationship,
  ): Promise<CareTeamMember> {
    await this.policy.assertCanSeePatient(caller, patientId);
    const user = await this.repo.getUser(caller.orgId, userId);
    if (!user) throw new NotFoundError('User not found');
    if (user.role === 'patient' || user.role === 'compliance') {
      throw new ConflictError(`A ${user.role} user cannot join a care team`);
    }
    return this.repo.putCareTeamMember(ctx, patientId, user, relationship);
  }

  async removeCareTeamMember(caller: Caller, ctx: WriteContext, patientId: string, userId: string): Promise<void> {
    await this.policy.assertCanSeePatient(caller, patientId);
    await this.repo.removeCareTeamMember(ctx, patientId, userId);
  }

  private async ownRecord(caller: Caller, patientId: string): Promise<Page<Patient>> {
    const patient = await this.repo.getPatient(caller.orgId, patientId);
    return { items: patient ? [patient] : [], nextCursor: null };
  }
}
