import type { Dose, Medication, MissedDoseAlert } from '../../schemas/medications.js';
import type { Db, Item, Page, PageRequest } from '../shared/data/db.js';
import { TransactionCancelledError } from '../shared/data/transaction-failures.js';
import { PatientEntity } from '../shared/data/entities.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import { update, versioned, versionedUpdate } from '../shared/data/update-builder.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../shared/errors.js';
import { AsNeededCountEntity, DoseEntity, INTERNAL, MedicationEntity, MissedDoseAlertEntity, type StoredMedication } from './entities.js';

export type { StoredMedication } from './entities.js';

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
    const item = await this.db.get(MedicationEntity.key(orgId, patientId, medicationId), consistent);
    return item ? MedicationEntity.fromItem(item) : undefined;
  }

  /** The medication (+ idempotency record), on condition that the patient exists. */
  async createMedication(ctx: WriteContext, medication: Medication, idem: IdempotencyRequest | undefined): Promise<Medication> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = medication;
    const parts = {
      patientExists: this.db.conditionCheck({ Key: PatientEntity.key(ctx.orgId, medication.patientId), ConditionExpression: 'attribute_exists(PK)' }),
      medication: this.db.put(MedicationEntity.newItem(MedicationEntity.key(ctx.orgId, medication.patientId, id), { id, ...fields }, ctx), {
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    };
    try {
      return await this.idempotency.run(ctx, idem, parts, medication);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('patientExists')) throw new NotFoundError('Patient not found');
      throw err;
    }
  }

  async listMedications(orgId: string, patientId: string, page: PageRequest): Promise<Page<Medication>> {
    const pk = MedicationEntity.partition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MedicationEntity.prefix },
        // ULIDs: newest first.
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map((i) => MedicationEntity.fromItem(i).medication), nextCursor: out.nextCursor };
  }

  /** Every medication of a patient (a handful; adherence names them). */
  async allMedications(orgId: string, patientId: string): Promise<Medication[]> {
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': MedicationEntity.partition(orgId, patientId), ':prefix': MedicationEntity.prefix },
    }, 200);
    return items.map((i) => MedicationEntity.fromItem(i).medication);
  }

  /** Applies `fields` on condition of `expectedVersion` (when given). */
  async updateMedication(ctx: WriteContext, current: Medication, fields: Item, expectedVersion?: number): Promise<Medication> {
    try {
      await this.db.transact({
        medication: this.db.update({
          Key: MedicationEntity.key(ctx.orgId, current.patientId, current.id),
          ...versionedUpdate(fields, ctx, expectedVersion),
        }),
      });
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('medication')) throw new VersionConflictError();
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
    const item = await this.db.get(DoseEntity.key(orgId, patientId, scheduledFor, medicationId), consistent);
    return item ? DoseEntity.fromItem(item) : undefined;
  }

  /** Creates the dose unless it exists (a replayed slot fire). Answers whether it created it. */
  async putDoseIfAbsent(ctx: WriteContext, dose: Dose): Promise<boolean> {
    try {
      await this.db.transact({ dose: this.db.put(doseItem(ctx, dose), { ConditionExpression: 'attribute_not_exists(PK)' }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('dose')) return false;
      throw err;
    }
  }

  /**
   * A dose still `due` becomes `missed` and its alert is stored, in one transaction. Answers false
   * when the dose is no longer due (confirmed in time, or a replayed check).
   */
  async markMissed(ctx: WriteContext, dose: Dose, alert: MissedDoseAlert): Promise<boolean> {
    try {
      await this.db.transact({
        dose: this.db.update({
          Key: DoseEntity.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId),
          ...versioned(ctx).set({ status: 'missed', auditAction: 'miss' }).compare('status', '=', 'due').build(),
        }),
        alert: this.db.put(
          MissedDoseAlertEntity.newItem(MissedDoseAlertEntity.key(ctx.orgId, alert.patientId, alert.scheduledFor, alert.medicationId), { ...alert }, ctx),
          { ConditionExpression: 'attribute_not_exists(PK)' },
        ),
      });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && (err.failed('dose') || err.failed('alert'))) return false;
      throw err;
    }
  }

  /** Confirms a dose on condition that its status is still `expectedStatus` (false otherwise). */
  async confirmDose(ctx: WriteContext, dose: Dose, fields: Item, expectedStatus: string): Promise<boolean> {
    const spec = versioned(ctx).set({ ...fields, auditAction: 'confirm' }).compare('status', '=', expectedStatus).build();
    try {
      await this.db.transact({ dose: this.db.update({ Key: DoseEntity.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId), ...spec }) });
      return true;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('dose')) return false;
      throw err;
    }
  }

  /**
   * An as-needed dose and the day's counter in one transaction: the counter's conditional ADD
   * admits at most `max` doses per local day however many requests run in parallel.
   */
  async logAsNeeded(ctx: WriteContext, dose: Dose, localDate: string, max: number, expiresAt: number, idem?: IdempotencyRequest): Promise<Dose> {
    // Unversioned: the counter is created by its first ADD and only ever counted.
    const counter = update()
      .add({ count: 1 })
      .set({
        entityType: AsNeededCountEntity.entityType,
        orgId: ctx.orgId,
        patientId: dose.patientId,
        medicationId: dose.medicationId,
        localDate,
        expiresAt,
      })
      .stamp(ctx)
      .where('attribute_not_exists(#count) OR #count < :max', { '#count': 'count' }, { ':max': max });
    try {
      return await this.idempotency.run(ctx, idem, {
        dailyCount: this.db.update({ Key: AsNeededCountEntity.key(ctx.orgId, dose.patientId, dose.medicationId, localDate), ...counter.build() }),
        dose: this.db.put(doseItem(ctx, dose), { ConditionExpression: 'attribute_not_exists(PK)' }),
      }, dose);
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('dailyCount')) {
        throw new ConflictError(`The daily maximum of ${max} doses of this medication is reached for ${localDate}`);
      }
      if (err instanceof TransactionCancelledError && err.failed('dose')) throw new ConflictError('This dose is already logged');
      throw err;
    }
  }

  async listDoses(orgId: string, patientId: string, from: string, to: string, page: PageRequest): Promise<Page<Dose>> {
    const pk = PatientEntity.partition(orgId, patientId);
    const range = DoseEntity.between(from, to);
    const out = await this.db.queryPage<Item>(
      {
        // BETWEEN is inclusive; `DOSE#<to>` sorts before every dose due at `to` (they continue `#...`).
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': range.from, ':to': range.to },
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(DoseEntity.fromItem), nextCursor: out.nextCursor };
  }

  /** Every dose due in [from, to) (adherence; the service bounds the window). */
  async dosesIn(orgId: string, patientId: string, from: string, to: string): Promise<Dose[]> {
    const range = DoseEntity.between(from, to);
    const items = await this.db.queryAll<Item>({
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': PatientEntity.partition(orgId, patientId), ':from': range.from, ':to': range.to },
    }, 20_000);
    return items.map(DoseEntity.fromItem);
  }

  async listAlerts(orgId: string, patientId: string, page: PageRequest): Promise<Page<MissedDoseAlert>> {
    const pk = PatientEntity.partition(orgId, patientId);
    const out = await this.db.queryPage<Item>(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': MissedDoseAlertEntity.prefix },
        ScanIndexForward: false,
      },
      page,
      { attribute: 'PK', value: pk },
    );
    return { items: out.items.map(MissedDoseAlertEntity.fromItem), nextCursor: out.nextCursor };
  }
}

function doseItem(ctx: WriteContext, dose: Dose): Item {
  const { version: _v, createdAt: _c, updatedAt: _u, ...fields } = dose;
  return DoseEntity.newItem(DoseEntity.key(ctx.orgId, dose.patientId, dose.scheduledFor, dose.medicationId), { ...fields }, ctx);
}
