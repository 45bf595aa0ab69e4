import { DEFAULT_ORG_SETTINGS, type OrgSettings, type UpdateOrgSettingsBody } from '../../../schemas/org-settings.js';
import type { Db } from '../data/db.js';
import { TransactionCancelledError } from '../data/transaction-failures.js';
import { versionedUpdate } from '../data/update-builder.js';
import { newItem, type WriteContext } from '../data/write-context.js';
import { VersionConflictError } from '../errors.js';

/** One item per org. Only this module knows its key. */
const OrgSettingsKeys = {
  key: (orgId: string) => ({ PK: `ORG#${orgId}#SETTINGS`, SK: 'SETTINGS' }),
};

/** What other domains need of an org's settings (its zone, travel speed, EVV lock, escalation). */
export interface OrgSettingsReader {
  settings(orgId: string): Promise<OrgSettings>;
}

/**
 * `GET/PATCH /org/settings`. An org without an item has the defaults at version 1; the first PATCH
 * (with version 1) creates the item at version 2 on condition that none exists, later ones update on
 * condition of the version, so concurrent changes never overwrite each other.
 */
export class OrgSettingsRepository implements OrgSettingsReader {
  constructor(private readonly db: Db) {}

  async settings(orgId: string): Promise<OrgSettings> {
    const item = await this.db.get<Partial<OrgSettings>>(OrgSettingsKeys.key(orgId), true);
    return item ? pick(item) : { ...DEFAULT_ORG_SETTINGS, version: 1 };
  }

  async update(ctx: WriteContext, body: UpdateOrgSettingsBody): Promise<OrgSettings> {
    const current = await this.settings(ctx.orgId);
    if (body.version !== current.version) throw new VersionConflictError();
    const { version: _v, ...changes } = body;
    const next: OrgSettings = { ...current, ...stripUndefined(changes), version: current.version + 1 };
    const key = OrgSettingsKeys.key(ctx.orgId);
    try {
      if (current.version === 1) {
        const { version: _n, ...fields } = next;
        const item = { ...newItem(key, 'OrgSettings', { id: ctx.orgId, ...fields }, ctx), version: 2 };
        await this.db.transact({ settings: this.db.put(item, { ConditionExpression: 'attribute_not_exists(PK)' }) });
      } else {
        await this.db.transact({ settings: this.db.update({ Key: key, ...versionedUpdate(stripUndefined(changes), ctx, current.version) }) });
      }
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed('settings')) throw new VersionConflictError();
      throw err;
    }
    return next;
  }
}

const stripUndefined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const pick = (item: Partial<OrgSettings>): OrgSettings => ({
  timezone: item.timezone ?? DEFAULT_ORG_SETTINGS.timezone,
  travelSpeedKmh: item.travelSpeedKmh ?? DEFAULT_ORG_SETTINGS.travelSpeedKmh,
  evvLockDays: item.evvLockDays ?? DEFAULT_ORG_SETTINGS.evvLockDays,
  criticalEscalationMinutes: item.criticalEscalationMinutes ?? DEFAULT_ORG_SETTINGS.criticalEscalationMinutes,
  version: item.version ?? 1,
});
