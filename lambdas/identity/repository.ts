import type { Role } from '../../schemas/roles.js';
import type { CareTeamMember, Patient, Relationship, User } from '../../schemas/identity.js';
import type { Db, Item, Page, TransactParts } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { CareTeamMemberEntity, MrnClaimEntity, PatientEntity, UserEntity } from '../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { versioned, versionedUpdate } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../shared/errors.js';
import { CareTeamWrites } from '../shared/people/care-team.js';
import { People } from '../shared/people/people.js';

/**
 * Users, patients and care teams in the single table. The only identity code that knows keys. The
 * reads every domain shares (a user, a patient, the care-team links) are `People`'s, below the
 * domains; the care-team link is written by the one writer, `CareTeamWrites`.
 * Access patterns (docs/data-model.md):
 * - user by id: GetItem `ORG#o#USER#u / PROFILE`; users by role: Query GSI1 `ORG#o#USERS`, `ROLE#r#`
 * - patient by id: GetItem `ORG#o#PAT#p / PROFILE`; org's patients: Query GSI1 `ORG#o#PATIENTS`
 * - care team: Query `ORG#o#PAT#p`, `MEMBER#`; my patients: Query GSI1 `ORG#o#USER#u`, `PAT#`
 * - access check: GetItem `ORG#o#PAT#p / MEMBER#u`
 */
export class IdentityRepository extends People {
  private readonly idempotency: Idempotency;
  private readonly careTeam: CareTeamWrites;

  constructor(db: Db) {
    super(db);
    this.idempotency = new Idempotency(db);
    this.careTeam = new CareTeamWrites(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- users -------------------------------------------------------------------------------

  /** The profile item, and the patient's link to its login, in one transaction. */
  async createUser(ctx: WriteContext, user: User, idem: IdempotencyRequest | undefined, response: unknown): Promise<unknown> {
    const parts: TransactParts = {
      user: this.db.put(
        UserEntity.newItem({ ...UserEntity.key(ctx.orgId, user.userId), ...UserEntity.byRole(ctx.orgId, user.role, user.userId) }, {
          id: user.userId,
          userId: user.userId,
          email: user.email,
          displayName: user.displayName,
          role: user.role,
          ...(user.patientId ? { patientId: user.patientId } : {}),
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
    };
    if (user.patientId) {
      parts.patientLogin = this.db.update({
        Key: PatientEntity.key(ctx.orgId, user.patientId),
        ...versioned(ctx).set({ userId: user.userId }).absent('userId').build(),
      });
    }
    try {
      return await this.idempotency.run(ctx, idem, parts, response);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('patientLogin')) {
        throw new ConflictError('This patient already has a login');
      }
      throw err;
    }
  }

  async listUsers(orgId: string, role: Role | undefined, page: { limit: number; cursor?: string }): Promise<Page<User>> {
    const partition = UserEntity.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': UserEntity.rolePrefix(role) },
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: out.items.map(UserEntity.fromItem), nextCursor: out.nextCursor };
  }

  // ---- patients ----------------------------------------------------------------------------

  /** Patient + MRN claim (+ idempotency record): a duplicate MRN in the org is a 409. */
  async createPatient(ctx: WriteContext, patient: Patient, idem: IdempotencyRequest | undefined): Promise<Patient> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, orgId: _o, ...fields } = patient;
    const parts = {
      patient: this.db.put(
        PatientEntity.newItem({ ...PatientEntity.key(ctx.orgId, id), ...PatientEntity.byName(ctx.orgId, patient.displayName, id) }, {
          id,
          patientId: id,
          ...fields,
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      mrnClaim: this.db.put(MrnClaimEntity.newItem(MrnClaimEntity.key(ctx.orgId, patient.medicalRecordNumber), { id, patientId: id }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    try {
      return await this.idempotency.run(ctx, idem, parts, patient);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('mrnClaim')) {
        throw new ConflictError('A patient with this medical record number already exists in your organisation');
      }
      throw err;
    }
  }

  /**
   * Applies `changes` on condition of `expectedVersion`. A new MRN moves the claim in the same
   * transaction. Answers the updated patient.
   */
  async updatePatient(ctx: WriteContext, current: Patient, changes: Partial<Patient>, expectedVersion: number): Promise<Patient> {
    const fields: Item = { ...changes };
    if (changes.displayName !== undefined) Object.assign(fields, PatientEntity.byName(ctx.orgId, changes.displayName, current.id));
    const parts: TransactParts = {
      patient: this.db.update({ Key: PatientEntity.key(ctx.orgId, current.id), ...versionedUpdate(fields, ctx, expectedVersion) }),
    };
    const mrnChanged =
      changes.medicalRecordNumber !== undefined &&
      changes.medicalRecordNumber.toUpperCase() !== current.medicalRecordNumber.toUpperCase();
    if (mrnChanged) {
      parts.oldMrnClaim = this.db.delete({ Key: MrnClaimEntity.key(ctx.orgId, current.medicalRecordNumber) });
      parts.mrnClaim = this.db.put(
        MrnClaimEntity.newItem(MrnClaimEntity.key(ctx.orgId, changes.medicalRecordNumber!), { id: current.id, patientId: current.id }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      );
    }
    try {
      await this.db.transact(parts);
    } catch (err) {
      if (err instanceof TransactionCancelledError) {
        if (err.failed('patient')) throw new VersionConflictError();
        if (err.failed('mrnClaim')) throw new ConflictError('A patient with this medical record number already exists in your organisation');
      }
      throw err;
    }
    const updated: Item = { ...current, version: current.version + 1, updatedAt: ctx.now };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined) delete updated[k];
      else updated[k] = v;
    }
    return updated as Patient;
  }

  async listOrgPatients(orgId: string, page: { limit: number; cursor?: string }): Promise<Page<Patient>> {
    const partition = PatientEntity.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition } },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: out.items.map(PatientEntity.fromItem), nextCursor: out.nextCursor };
  }

  /** The patients whose care team the user is on: one Query for the page, one BatchGet for the records. */
  async listMemberPatients(orgId: string, userId: string, page: { limit: number; cursor?: string }): Promise<Page<Patient>> {
    const partition = CareTeamMemberEntity.userPartition(orgId, userId);
    const links = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': CareTeamMemberEntity.userPrefix },
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    const patients = await this.db.batchGet<Item>(links.items.map((l) => PatientEntity.key(orgId, String(l.patientId))));
    const byId = new Map(patients.map((p) => [String(p.id), PatientEntity.fromItem(p)]));
    return {
      items: links.items.map((l) => byId.get(String(l.patientId))).filter((p): p is Patient => !!p),
      nextCursor: links.nextCursor,
    };
  }

  // ---- care teams --------------------------------------------------------------------------

  /**
   * Adds a member or changes their relationship, on condition that the patient exists (the one
   * care-team writer, `CareTeamWrites`, with its retry when a parallel put raced this one).
   */
  async putCareTeamMember(ctx: WriteContext, patientId: string, user: User, relationship: Relationship): Promise<CareTeamMember> {
    try {
      return await this.careTeam.write(ctx, { patientId, member: user, relationship, mode: 'put' }, async (join, member) => {
        await this.db.transact({
          patientExists: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, patientId), ConditionExpression: 'attribute_exists(PK)' }),
          ...join,
        });
        return member!;
      });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('patientExists')) throw new NotFoundError('Patient not found');
      throw err;
    }
  }

  /**
   * Removes a member. The item is first stamped with the remover (and marked `deleting`, which the
   * access check already treats as gone), then deleted, so the stream's REMOVE record carries the
   * actor in its old image: the audit trail names who removed them.
   */
  async removeCareTeamMember(ctx: WriteContext, patientId: string, userId: string): Promise<void> {
    const key = CareTeamMemberEntity.key(ctx.orgId, patientId, userId);
    try {
      await this.db.transact({ member: this.db.update({ Key: key, ...versionedUpdate({ deleting: true }, ctx) }) });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('member')) throw new NotFoundError('Not on this care team');
      throw err;
    }
    await this.db.transact({ member: this.db.delete({ Key: key }) });
  }
}
