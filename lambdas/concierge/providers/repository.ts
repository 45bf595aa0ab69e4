import type { Provider } from '../../../schemas/concierge.js';
import { Calendars } from '../../shared/calendar/calendar-repository.js';
import type { CalendarEntry } from '../../shared/calendar/calendar.js';
import type { Item, Page, PageRequest } from '../../shared/data/db.js';
import { mapFailures } from '../../shared/data/transaction-failures.js';
import type { IdempotencyRequest } from '../../shared/data/idempotency.js';
import { versioned } from '../../shared/data/update-builder.js';
import type { WriteContext } from '../../shared/data/write-context.js';
import { ConflictError, VersionConflictError } from '../../shared/errors.js';
import { ProviderEntity } from '../entities.js';
import { ConciergeStore } from '../store.js';

/**
 * Providers and their booked time in the single table (docs/data-model.md, "Medical concierge"):
 * - provider: GetItem `ORG#o#PROV#p / PROFILE`; directory: Query GSI1 `ORG#o#PROVIDERS` (by specialty prefix)
 * - booked time (free slots): the shared calendar's day items of the provider (`Calendars`)
 */
export class ProviderRepository extends ConciergeStore {
  private readonly calendars = new Calendars(this.db);

  async getProvider(orgId: string, providerId: string, consistent = false): Promise<Provider | undefined> {
    const item = await this.db.get(ProviderEntity.key(orgId, providerId), consistent);
    return item ? ProviderEntity.fromItem(item) : undefined;
  }

  /** One profile per user: put on condition that none exists (409 otherwise). */
  async createProvider(ctx: WriteContext, provider: Provider, idem: IdempotencyRequest | undefined): Promise<Provider> {
    const { id, version: _v, createdAt: _c, updatedAt: _u, ...fields } = provider;
    const item = ProviderEntity.newItem({ ...ProviderEntity.key(ctx.orgId, id), ...ProviderEntity.directory(ctx.orgId, provider.specialty, id) }, { id, ...fields }, ctx);
    return mapFailures({ profile: () => new ConflictError('This user already has a provider profile') }, () => this.idempotency.run(ctx, idem, { profile: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) }, provider));
  }

  async updateProvider(ctx: WriteContext, current: Provider, changes: Partial<Provider>, expectedVersion: number): Promise<Provider> {
    const fields: Item = { ...changes };
    if (changes.specialty) Object.assign(fields, ProviderEntity.directory(ctx.orgId, changes.specialty, current.id));
    await mapFailures({ profile: () => new VersionConflictError() }, () => this.db.transact({ profile: this.db.update({ Key: ProviderEntity.key(ctx.orgId, current.id), ...versioned(ctx, expectedVersion).set(fields).build() }) }));
    return { ...current, ...changes, version: current.version + 1, updatedAt: ctx.now };
  }

  async listProviders(orgId: string, specialty: string | undefined, page: PageRequest): Promise<Page<Provider>> {
    const pk = ProviderEntity.directoryPartition(orgId);
    const out = await this.db.queryPage<Item>(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: specialty ? 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)' : 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(specialty ? { ':prefix': ProviderEntity.specialtyPrefix(specialty) } : {}) },
      },
      page,
      { attribute: 'GSI1PK', value: pk },
    );
    return { items: out.items.map((i) => ProviderEntity.fromItem(i)), nextCursor: out.nextCursor };
  }

  /** The provider's bookings touching [from, to): the calendar's days of that window only. */
  async bookedEntries(orgId: string, providerId: string, from: string, to: string): Promise<CalendarEntry[]> {
    const window = await this.calendars.window(orgId, { kind: 'user', id: providerId }, [[from, to]]);
    return window.entries();
  }
}
