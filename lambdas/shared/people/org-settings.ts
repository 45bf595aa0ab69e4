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
 * What message retention needs of the settings (docs/retention.md): the retention, the instant up
 * to which messages are gone whatever the retention says now (`expiredThrough`: raised whenever the
 * retention grows or is switched off, so what has expired never comes back while its items wait for
 * TTL), and the item's version (a send re-times its conversation if it moved during the send).
 */
export interface MessageRetentionSettings {
  retentionDays: number | null;
  /** ISO 8601; messages sent at or before it are gone. null: none so far. */
  expiredThrough: string | null;
  /** The settings item's version; 1 when the org has no item yet. */
  version: number;
}

const DAY_MS = 86_400_000;

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

  async messageRetention(orgId: string): Promise<MessageRetentionSettings> {
    const item = await this.db.get<Partial<OrgSettings> & { messagesExpiredThrough?: string }>(OrgSettingsKeys.key(orgId), true);
    return {
      retentionDays: item?.messageRetentionDays ?? null,
      expiredThrough: item?.messagesExpiredThrough ?? null,
      version: item?.version ?? 1,
    };
  }

  async update(ctx: WriteContext, body: UpdateOrgSettingsBody): Promise<OrgSettings> {
    const current = await this.settings(ctx.orgId);
    if (body.version !== current.version) throw new VersionConflictError();
    const { version: _v, ...requested } = body;
    const changes: Record<string, unknown> = { ...requested };
    // A retention that grows (or ends) must not bring back what has already expired: everything
    // sent up to the old cutoff stays gone (docs/retention.md, "Changing the retention").
    if (requested.messageRetentionDays !== undefined && requested.messageRetentionDays !== current.messageRetentionDays && current.messageRetentionDays !== null) {
      const before = (await this.messageRetention(ctx.orgId)).expiredThrough;
      const cutoff = new Date(Date.parse(ctx.now) - current.messageRetentionDays * DAY_MS).toISOString();
      changes.messagesExpiredThrough = before && before > cutoff ? before : cutoff;
    }
    const next: OrgSettings = { ...current, ...stripUndefined(requested), version: current.version + 1 };
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
  messageRetentionDays: item.messageRetentionDays ?? DEFAULT_ORG_SETTINGS.messageRetentionDays,
  version: item.version ?? 1,
});
