import type { Dose, Medication, MissedDoseAlert } from '../../schemas/medications.js';
import { TransactionCancelledError, type Db, type Item, type Page } from '../shared/data/db.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { PatientKeys } from '../shared/data/keys.js';
import { actorAttributes, newItem, STORAGE_ATTRIBUTES, versionedUpdate, type UpdateSpec, type WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../shared/errors.js';
import { AlertKeys, AsNeededCountKeys, DoseKeys, MedicationKeys } from './keys.js';

type PageRequest = { limit: number; cursor?: string | undefined };

/** Bookkeeping attributes of a medication that are not part of the API's entity. */
const INTERNAL = new Set(['scheduleSyncFailed', 'auditAction']);

/**
 * Medications, doses, missed-dose alerts and as-needed counters in the patient's partition. The
 * only medication code that knows keys. Access patterns (docs/data-model.md):
 * - medications of a patient: Query `P`, `begins_with(SK, MED#)`; one: GetItem `P / MED#<id>`
 * - doses in a window: Query `P`, `SK BETWEEN DOSE#<from> AND DOSE#<to>`; one: GetItem
 * - alerts, newest first: Query `P`, `begins_with(SK, ALERT#)`, backwards
 * - as-needed daily maximum: conditional ADD on `P / PRN#<medId>#<localDate>` in the dose's transaction
 */
export class MedicationRepository {
  private readonly idempotency: Idempotency;

  constructor(private readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  // ---- medications ---------------------------------------------------------------------------

  async getMedication(orgId: string, patientId: string, medicationId: string, consistent = false): Promise<StoredMedication | undefined> {
    const item = await this.db.get(MedicationKeys.key(orgId, patientId, medicationId), consistent);
    return item ? toStoredMedication(item) : undefined;
  }

  /** The medication (+ idempotency record), on condition that the patient exists. */
  async createMedication(ctx: WriteContext, medication: Medication, idem: IdempotencyRequest | undefined): Promise<Medication> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = medication;
    const items = [
      this.db.conditionCheck({ Key: PatientKeys.key(ctx.orgId, medication.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      this.db.put(newItem(MedicationKeys.key(ctx.orgId, medication.patientId, id), 'Medication', { id, ...fields }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    ];
    try {
      return await this.idempotency.run(ctx, idem, items, medication);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) throw new NotFoundError('Patient not found');
      throw err;
    }
  }

  async listMedications(orgId: string, patientId: string, page: PageRequest): Promise<Page<Medication>> {
    const pk = MedicationKeys.partition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MedicationKeys.prefix },
        // ULIDs: newest first.
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map((i) => toStoredMedication(i).medication), nextCursor: out.nextCursor };
  }

  /** Every medication of a patient (a handful; adherence names them). */
  async allMedications(orgId: string, patientId: string): Promise<Medication[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': MedicationKeys.partition(orgId, patientId), ':prefix': MedicationKeys.prefix },
    }, 200);
    return items.map((i) => toStoredMedication(i).medication);
  }

  /** Applies `fields` on condition of `expectedVersion` (when given). */
  async updateMedication(ctx: WriteContext, current: Medication, fields: Item, expectedVersion?: number): Promise<Medication> {
    try {
      await this.db.transact([
        this.db.update({ Key: MedicationKeys.key(ctx.orgId, current.patientId, current.id), ...versionedUpdate(fields, ctx, expectedVersion) }),
      ]);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) throw new VersionConflictError();
      throw err;
    }
    const updated: Item = { ...current, version: current.version + 1, updatedAt: ctx.now };
    for (const [k, v] of Object.entries(fields)) {
      if (INTERNAL.has(k)) continue;
      if (v === null || v === undefined) delete updated[k];
      else updated[k] = v;
    }
    return updated as Medication;
  }

  // ---- doses ---------------------------------------------------------------------------------

  async getDose(orgId: string, patientId: string, scheduledFor: string, medicationId: string, consistent = false): Promise<Dose | undefined> {
    const item = await this.db.get(DoseKeys.key(orgId, patientId, scheduledFor, medicationId), consistent);
    return item ? toDose(item) : undefined;
  }

  /** Creates the dose unless it exists (a replayed slot fire). Answers whether it created it. */
  async putDoseIfAbsent(ctx: WriteContext, dose: Dose): Promise<boolean> {
    try {
      await this.db.transact([this.db.put(doseItem(ctx, dose), { ConditionExpression: 'attribute_not_exists(PK)' })]);
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) return false;
      throw err;
    }
  }

  /**
   * A dose still `due` becomes `missed` and its alert is stored, in one transaction. Answers false
   * when the dose is no longer due (confirmed in time, or a replayed check).
   */
  async markMissed(ctx: WriteContext, dose: Dose, alert: MissedDoseAlert): Promise<boolean> {
    const update = withCondition(versionedUpdate({ status: 'missed', auditAction: 'miss' }, ctx), '#st = :due', { '#st': 'status' }, { ':due': 'due' });
    try {
      await this.db.transact([
        this.db.update({ Key: DoseKeys.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId), ...update }),
        this.db.put(
          newItem(AlertKeys.key(ctx.orgId, alert.patientId, alert.scheduledFor, alert.medicationId), 'MissedDoseAlert', { ...alert }, ctx),
          { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
      ]);
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && (err.failedAt(0) || err.failedAt(1))) return false;
      throw err;
    }
  }

  /** Confirms a dose on condition that its status is still `expectedStatus` (false otherwise). */
  async confirmDose(ctx: WriteContext, dose: Dose, fields: Item, expectedStatus: string): Promise<boolean> {
    const update = withCondition(versionedUpdate({ ...fields, auditAction: 'confirm' }, ctx), '#st = :expected', { '#st': 'status' }, { ':expected': expectedStatus });
    try {
      await this.db.transact([this.db.update({ Key: DoseKeys.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId), ...update })]);
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) return false;
      throw err;
    }
  }

  /**
   * An as-needed dose and the day's counter in one transaction: the counter's conditional ADD
   * admits at most `max` doses per local day however many requests run in parallel.
   */
  async logAsNeeded(ctx: WriteContext, dose: Dose, localDate: string, max: number, expiresAt: number, idem?: IdempotencyRequest): Promise<Dose> {
    const counter = AsNeededCountKeys.key(ctx.orgId, dose.patientId, dose.medicationId, localDate);
    const stamps = Object.entries({
      entityType: 'AsNeededCount',
      orgId: ctx.orgId,
      patientId: dose.patientId,
      medicationId: dose.medicationId,
      localDate,
      expiresAt,
      ...actorAttributes(ctx),
    });
    const names: Record<string, string> = { '#count': 'count' };
    const values: Record<string, unknown> = { ':one': 1, ':max': max };
    stamps.forEach(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
    });
    try {
      return await this.idempotency.run(ctx, idem, [
        this.db.update({
          Key: counter,
          UpdateExpression: `ADD #count :one SET ${stamps.map((_, i) => `#s${i} = :s${i}`).join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
        this.db.put(doseItem(ctx, dose), { ConditionExpression: 'attribute_not_exists(PK)' }),
      ], dose);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failedAt(0)) {
        throw new ConflictError(`The daily maximum of ${max} doses of this medication is reached for ${localDate}`);
      }
      if (err instanceof TransactionCancelledError && err.failedAt(1)) throw new ConflictError('This dose is already logged');
      throw err;
    }
  }

  async listDoses(orgId: string, patientId: string, from: string, to: string, page: PageRequest): Promise<Page<Dose>> {
    const pk = PatientKeys.partition(orgId, patientId);
    const range = DoseKeys.between(from, to);
    const out = await this.db.queryPage<Item>(
      {
        // BETWEEN is inclusive; `DOSE#<to>` sorts before every dose due at `to` (they continue `#...`).
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': range.from, ':to': range.to },
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(toDose), nextCursor: out.nextCursor };
  }

  /** Every dose due in [from, to) (adherence; the service bounds the window). */
  async dosesIn(orgId: string, patientId: string, from: string, to: string): Promise<Dose[]> {
    const range = DoseKeys.between(from, to);
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': PatientKeys.partition(orgId, patientId), ':from': range.from, ':to': range.to },
    }, 20_000);
    return items.map(toDose);
  }

  async listAlerts(orgId: string, patientId: string, page: PageRequest): Promise<Page<MissedDoseAlert>> {
    const pk = PatientKeys.partition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': AlertKeys.prefix },
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map((i) => strip(i) as MissedDoseAlert), nextCursor: out.nextCursor };
  }
}

/** A medication as stored: the entity, plus whether its last schedule sync failed. */
export interface StoredMedication {
  medication: Medication;
  scheduleSyncFailed: boolean;
}

function toStoredMedication(item: Item): StoredMedication {
  const { scheduleSyncFailed, ...rest } = strip(item);
  for (const k of INTERNAL) delete rest[k];
  return {
    medication: { ...rest, version: item.version, createdAt: item.createdAt, updatedAt: item.updatedAt } as Medication,
    scheduleSyncFailed: scheduleSyncFailed === true,
  };
}

function toDose(item: Item): Dose {
  const { auditAction: _a, ...rest } = strip(item);
  return { ...rest, version: item.version, createdAt: item.createdAt, updatedAt: item.updatedAt } as Dose;
}

function doseItem(ctx: WriteContext, dose: Dose): Item {
  const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = dose;
  return newItem(DoseKeys.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId), 'Dose', { ...fields }, ctx);
}

const strip = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k)));

function withCondition(spec: UpdateSpec, condition: string, names: Record<string, string>, values: Record<string, unknown>): UpdateSpec {
  return {
    ...spec,
    ConditionExpression: `${spec.ConditionExpression} AND ${condition}`,
    ExpressionAttributeNames: { ...spec.ExpressionAttributeNames, ...names },
    ExpressionAttributeValues: { ...spec.ExpressionAttributeValues, ...values },
  };
}
