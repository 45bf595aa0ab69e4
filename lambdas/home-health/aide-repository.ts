import type { AideProfile } from '../../schemas/home-health.js';
import type { CalendarWindow } from '../shared/calendar/calendar-repository.js';
import type { Db, Item, Page, PageRequest } from '../shared/data/db.js';
import { versioned } from '../shared/data/update-builder.js';
import { newItem, type WriteContext } from '../shared/data/write-context.js';
import { VersionConflictError } from '../shared/errors.js';
import { aideOwner } from '../shared/visits/aide-calendar.js';
import { AideKeys } from './keys.js';
import { pick, Transactions } from './transactions.js';

const changedMeanwhile = { aide: () => new VersionConflictError('The aide profile changed meanwhile; try again') };

/**
 * Aide profiles in the single table (docs/data-model.md, "Home health"), and reads of an aide's
 * calendar (the shared calendar's days, owner the aide).
 */
export class AideRepository {
  private readonly tx: Transactions;

  constructor(private readonly db: Db) {
    this.tx = new Transactions(db);
  }

  async getAide(orgId: string, userId: string, consistent = false): Promise<AideProfile | undefined> {
    const item = await this.db.get(AideKeys.key(orgId, userId), consistent);
    return item ? toAide(item) : undefined;
  }

  /** Creates or replaces the profile (version continues from the stored one, on its condition). */
  async putAide(ctx: WriteContext, profile: AideProfile, previous: AideProfile | undefined): Promise<AideProfile> {
    const { version, createdAt, updatedAt: _u, ...fields } = profile;
    const item = {
      ...newItem({ ...AideKeys.key(ctx.orgId, profile.userId), ...AideKeys.inOrg(ctx.orgId, profile.userId) }, 'AideProfile', { ...fields, id: profile.userId }, ctx),
      version,
      createdAt,
    };
    const condition = previous
      ? { ConditionExpression: '#version = :v', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':v': previous.version } }
      : { ConditionExpression: 'attribute_not_exists(PK)' };
    return this.tx.commit(ctx, { aide: this.db.put(item, condition) }, profile, changedMeanwhile);
  }

  async setAideAvailability(ctx: WriteContext, aide: AideProfile, changes: Pick<AideProfile, 'status' | 'until'>): Promise<AideProfile> {
    const item = this.db.update({ Key: AideKeys.key(ctx.orgId, aide.userId), ...versioned(ctx, aide.version).set({ status: changes.status, until: changes.until ?? null }).build() });
    const { until: _old, ...rest } = aide;
    const next = { ...rest, status: changes.status, ...(changes.until ? { until: changes.until } : {}), version: aide.version + 1, updatedAt: ctx.now };
    return this.tx.commit(ctx, { aide: item }, next, changedMeanwhile);
  }

  /** A page of the org's aides (GSI1), optionally only those with a skill (filter on the page). */
  async listAides(orgId: string, skill: string | undefined, page: PageRequest): Promise<Page<AideProfile>> {
    const pk = AideKeys.orgPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(skill ? { ':skill': skill } : {}) },
        ...(skill ? { FilterExpression: 'contains(skills, :skill)' } : {}),
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map(toAide), nextCursor: out.nextCursor };
  }

  /** Every aide of the org with all of `skills` (one Query of GSI1, filtered by DynamoDB). */
  async aidesWithSkills(orgId: string, skills: readonly string[]): Promise<AideProfile[]> {
    const values: Record<string, unknown> = { ':pk': AideKeys.orgPartition(orgId) };
    skills.forEach((s, i) => (values[`:s${i}`] = s));
    const items = await this.db.queryAll<Item>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: values,
      ...(skills.length ? { FilterExpression: skills.map((_, i) => `contains(skills, :s${i})`).join(' AND ') } : {}),
    });
    return items.map(toAide);
  }

  /** The aide's calendar days touched by `ranges` (visits and respite sessions alike). */
  calendar(orgId: string, aideId: string, ranges: ReadonlyArray<readonly [string, string]>): Promise<CalendarWindow> {
    return this.tx.calendars.window(orgId, aideOwner(aideId), ranges);
  }
}

const AIDE_FIELDS = ['userId', 'displayName', 'skills', 'languages', 'homeBase', 'serviceRadiusKm', 'availability', 'timezone', 'status', 'until', 'version', 'createdAt', 'updatedAt'];
const toAide = (item: Item): AideProfile => ({ ...(pick(item, AIDE_FIELDS) as AideProfile), id: String(item.userId) });
