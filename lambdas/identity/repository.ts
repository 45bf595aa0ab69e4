import type { Role } from '../../schemas/roles.js';
import type { CareTeamMember, Patient, Relationship, User } from '../../schemas/identity.js';
import type { MembershipReader, PatientReader } from '../shared/auth/policy.js';
import { TransactionCancelledError, type Db, type Item, type Page } from '../shared/data/db.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { CareTeamKeys, MrnKeys, PatientKeys, UserKeys } from '../shared/data/keys.js';
import { newItem, versionedUpdate, type WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../shared/errors.js';

/**
 * Users, patients and care teams in the single table. The only identity code that knows keys.
 * Access patterns (docs/data-model.md):
 * - user by id: GetItem `ORG#o#USER#u / PROFILE`; users by role: Query GSI1 `ORG#o#USERS`, `ROLE#r#`
 * - patient by id: GetItem `ORG#o#PAT#p / PROFILE`; org's patients: Query GSI1 `ORG#o#PATIENTS`
 * - care team: Query `ORG#o#PAT#p`, `MEMBER#`; my patients: Query GSI1 `ORG#o#USER#u`, `PAT#`
 * - access check: GetItem `ORG#o#PAT#p / MEMBER#u`
 */
export class IdentityRepository implements MembershipReader, PatientReader {
  private readonly idempotency: Idempotency;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- users -------------------------------------------------------------------------------

  async getUser(orgId: string, userId: string): Promise<User | undefined> {
    const item = await this.db.get(UserKeys.key(orgId, userId));
    return item ? toUser(item) : undefined;
  }

  /** The profile item, and the patient's link to its login, in one transaction. */
  async createUser(ctx: WriteContext, user: User, idem: IdempotencyRequest | undefined, response: unknown): Promise<unknown> {
    const items = [
      this.db.put(
        newItem({ ...UserKeys.key(ctx.orgId, user.userId), ...UserKeys.byRole(ctx.orgId, user.role, user.userId) }, 'User', {
          id: user.userId,
          userId: user.userId,
          email: user.email,
          displayName: user.displayName,
          role: user.role,
          ...(user.patientId ? { patientId: user.patientId } : {}),
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
    ];
    if (user.patientId) {
      items.push(
        this.db.update({
          Key: PatientKeys.key(ctx.orgId, user.patientId),
          ...withCondition(versionedUpdate({ userId: user.userId }, ctx), 'attribute_not_exists(userId)'),
        }),
      );
    }
    try {
      return await this.idempotency.run(ctx, idem, items, response);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(1)) {
        throw new ConflictError('This patient already has a login');
      }
      throw err;
    }
  }

  async listUsers(orgId: string, role: Role | undefined, page: { limit: number; cursor?: string }): Promise<Page<User>> {
    const partition = UserKeys.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': UserKeys.rolePrefix(role) },
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: out.items.map(toUser), nextCursor: out.nextCursor };
  }

  // ---- patients ----------------------------------------------------------------------------

  async getPatient(orgId: string, patientId: string, consistent = false): Promise<Patient | undefined> {
    const item = await this.db.get(PatientKeys.key(orgId, patientId), consistent);
    return item ? toPatient(item) : undefined;
  }

  async patientExists(orgId: string, patientId: string): Promise<boolean> {
    return !!(await this.db.get(PatientKeys.key(orgId, patientId)));
  }

  /** Patient + MRN claim (+ idempotency record): a duplicate MRN in the org is a 409. */
  async createPatient(ctx: WriteContext, patient: Patient, idem: IdempotencyRequest | undefined): Promise<Patient> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, orgId: _o, ...fields } = patient;
    const items = [
      this.db.put(
        newItem({ ...PatientKeys.key(ctx.orgId, id), ...PatientKeys.byName(ctx.orgId, patient.displayName, id) }, 'Patient', {
          id,
          patientId: id,
          ...fields,
        }, ctx),
        { ConditionExpression: 'attribute_not_exists(PK)' },
      ),
      this.db.put(newItem(MrnKeys.key(ctx.orgId, patient.medicalRecordNumber), 'MrnClaim', { id, patientId: id }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ];
    try {
      return await this.idempotency.run(ctx, idem, items, patient);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(1)) {
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
    if (changes.displayName !== undefined) Object.assign(fields, PatientKeys.byName(ctx.orgId, changes.displayName, current.id));
    const items = [this.db.update({ Key: PatientKeys.key(ctx.orgId, current.id), ...versionedUpdate(fields, ctx, expectedVersion) })];
    const mrnChanged =
      changes.medicalRecordNumber !== undefined &&
      changes.medicalRecordNumber.toUpperCase() !== current.medicalRecordNumber.toUpperCase();
    if (mrnChanged) {
      items.push(
        this.db.delete({ Key: MrnKeys.key(ctx.orgId, current.medicalRecordNumber) }),
        this.db.put(newItem(MrnKeys.key(ctx.orgId, changes.medicalRecordNumber!), 'MrnClaim', { id: current.id, patientId: current.id }, ctx), {
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    }
    try {
      await this.db.transact(items);
    } catch (err) {
      if (err instanceof TransactionCancelledError) {
        if (err.failedAt(0)) throw new VersionConflictError();
        if (err.failedAt(2)) throw new ConflictError('A patient with this medical record number already exists in your organisation');
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
    const partition = PatientKeys.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition } },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: out.items.map(toPatient), nextCursor: out.nextCursor };
  }

  /** The patients whose care team the user is on: one Query for the page, one BatchGet for the records. */
  async listMemberPatients(orgId: string, userId: string, page: { limit: number; cursor?: string }): Promise<Page<Patient>> {
    const partition = CareTeamKeys.userPartition(orgId, userId);
    const links = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': CareTeamKeys.userPrefix },
      },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    const patients = await this.db.batchGet<Item>(links.items.map((l) => PatientKeys.key(orgId, String(l.patientId))));
    const byId = new Map(patients.map((p) => [String(p.id), toPatient(p)]));
    return {
      items: links.items.map((l) => byId.get(String(l.patientId))).filter((p): p is Patient => !!p),
      nextCursor: links.nextCursor,
    };
  }

  // ---- care teams --------------------------------------------------------------------------

  async isCareTeamMember(orgId: string, patientId: string, userId: string): Promise<boolean> {
    // Strongly consistent: a removal from the care team ends access at once (API.md), not after
    // the eventual-consistency window of a default GetItem.
    const item = await this.db.get(CareTeamKeys.key(orgId, patientId, userId), true);
    return !!item && item.deleting !== true;
  }

  async listCareTeam(orgId: string, patientId: string): Promise<CareTeamMember[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PatientKeys.partition(orgId, patientId), ':prefix': CareTeamKeys.prefix },
    });
    return items.filter((i) => i.deleting !== true).map(toMember);
  }

  /** Adds or changes a member, on condition that the patient exists. */
  async putCareTeamMember(ctx: WriteContext, patientId: string, user: User, relationship: Relationship): Promise<CareTeamMember> {
    const key = CareTeamKeys.key(ctx.orgId, patientId, user.userId);
    const existing = await this.db.get(key, true);
    const item = {
      ...newItem({ ...key, ...CareTeamKeys.byUser(ctx.orgId, user.userId, patientId) }, 'CareTeamMember', {
        id: user.userId,
        patientId,
        userId: user.userId,
        relationship,
        displayName: user.displayName,
        email: user.email,
        role: user.role,
        addedAt: existing && existing.deleting !== true ? existing.addedAt : ctx.now,
        addedBy: existing && existing.deleting !== true ? existing.addedBy : ctx.actorId,
      }, ctx),
      version: existing && existing.deleting !== true ? Number(existing.version) + 1 : 1,
      createdAt: existing && existing.deleting !== true ? existing.createdAt : ctx.now,
    };
    try {
      await this.db.transact([
        this.db.conditionCheck({ Key: PatientKeys.key(ctx.orgId, patientId), ConditionExpression: 'attribute_exists(PK)' }),
        this.db.put(item),
      ]);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) throw new NotFoundError('Patient not found');
      throw err;
    }
    return toMember(item);
  }

  /**
   * Removes a member. The item is first stamped with the remover (and marked `deleting`, which the
   * access check already treats as gone), then deleted, so the stream's REMOVE record carries the
   * actor in its old image: the audit trail names who removed them.
   */
  async removeCareTeamMember(ctx: WriteContext, patientId: string, userId: string): Promise<void> {
    const key = CareTeamKeys.key(ctx.orgId, patientId, userId);
    try {
      await this.db.transact([this.db.update({ Key: key, ...versionedUpdate({ deleting: true }, ctx) })]);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) throw new NotFoundError('Not on this care team');
      throw err;
    }
    await this.db.transact([this.db.delete({ Key: key })]);
  }
}

function withCondition<T extends { ConditionExpression: string }>(spec: T, extra: string): T {
  return { ...spec, ConditionExpression: `${spec.ConditionExpression} AND ${extra}` };
}

const pick = (item: Item, fields: readonly string[]): Item =>
  Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));

const PATIENT_FIELDS = [
  'id', 'orgId', 'version', 'createdAt', 'updatedAt', 'displayName', 'medicalRecordNumber', 'dateOfBirth', 'facility',
  'room', 'primaryClinic', 'phoneNumber', 'timezone', 'contact', 'isActive', 'userId',
] as const;

export const toPatient = (item: Item): Patient => pick(item, PATIENT_FIELDS) as Patient;

const toUser = (item: Item): User =>
  pick(item, ['userId', 'orgId', 'email', 'displayName', 'role', 'patientId', 'createdAt']) as User;

const toMember = (item: Item): CareTeamMember =>
  pick(item, ['patientId', 'userId', 'relationship', 'displayName', 'email', 'role', 'addedAt', 'addedBy', 'version']) as CareTeamMember;

