import { recordAccess } from '../shared/data/access-record.js';
import { decodeCursor, encodeCursor, type Db, type Item } from '../shared/data/db.js';
import { PatientEntity, UserEntity } from '../shared/data/entities.js';
import type { WriteContext } from '../shared/data/write-context.js';
import type { FhirPerson } from '../shared/fhir/mapping.js';

/**
 * The patient's record as the FHIR export reads it: everything of a patient lives in the patient's
 * partition `ORG#o#PAT#p` (docs/data-model.md), so the export is one forward Query of that
 * partition, a page at a time, plus GetItem/BatchGetItem for what a page refers to. Access
 * patterns (docs/data-model.md, "FHIR export"):
 * - the patient: GetItem `ORG#o#PAT#p / PROFILE`
 * - the record in key order: Query `PK = ORG#o#PAT#p`, from the cursor's sort key, `Limit` <= 500
 * - items a page refers to (a dose's medication, a correction's original): BatchGetItem in the partition
 * - the people a page names: BatchGetItem of user profiles `ORG#o#USER#u / PROFILE`
 */
export class RecordsRepository {
  constructor(private readonly db: Db) {}

  patient(orgId: string, patientId: string): Promise<Item | undefined> {
    return this.db.get(PatientEntity.key(orgId, patientId));
  }

  /** Up to `limit` items of the partition after `after` (a sort key), in key order; `more` when the partition goes on. */
  async items(orgId: string, patientId: string, after: string | undefined, limit: number): Promise<{ items: Item[]; more: boolean }> {
    const pk = PatientEntity.partition(orgId, patientId);
    const page = await this.db.queryPage(
      { KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } },
      { limit, cursor: after === undefined ? undefined : encodeCursor({ PK: pk, SK: after }) },
      { attribute: 'PK', value: pk },
    );
    return { items: page.items, more: page.nextCursor !== null };
  }

  /** Items of the patient's partition by sort key (those that exist). */
  async itemsByKey(orgId: string, patientId: string, sortKeys: readonly string[]): Promise<Item[]> {
    const pk = PatientEntity.partition(orgId, patientId);
    const found: Item[] = [];
    for (let i = 0; i < sortKeys.length; i += 100) found.push(...(await this.db.batchGet(sortKeys.slice(i, i + 100).map((SK) => ({ PK: pk, SK })))));
    return found;
  }

  /** User profiles of the org by id (unknown ids are left out). */
  async people(orgId: string, userIds: readonly string[]): Promise<FhirPerson[]> {
    const people: FhirPerson[] = [];
    for (let i = 0; i < userIds.length; i += 100) {
      const found = await this.db.batchGet(userIds.slice(i, i + 100).map((id) => UserEntity.key(orgId, id)));
      for (const u of found.map(UserEntity.fromItem)) people.push({ userId: u.userId, displayName: u.displayName, role: u.role, email: u.email });
    }
    return people;
  }

  /** The cursor of a page that ends after the item with sort key `sk`: opaque, bound to the patient. */
  cursorAfter(orgId: string, patientId: string, sk: string): string {
    return encodeCursor({ PK: PatientEntity.partition(orgId, patientId), SK: sk });
  }

  /** The sort key a cursor continues after; 400 for a cursor of another patient, org or list. */
  sortKeyOf(orgId: string, patientId: string, cursor: string): string {
    return decodeCursor(cursor, { attribute: 'PK', value: PatientEntity.partition(orgId, patientId) }, {}).SK!;
  }

  /** One audit row per export request, with how many resources it handed out. */
  recordExport(ctx: WriteContext, patientId: string, count: number): Promise<void> {
    return recordAccess(this.db, ctx, { action: 'export', entityType: 'Patient', entityId: patientId, patientId, count });
  }
}
