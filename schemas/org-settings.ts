import * as z from 'zod/mini';
import { TimeZone, Version } from './common.js';

/**
 * An org's settings (API.md, "Identity and people": `GET/PATCH /org/settings`). "Local day" and
 * "year" of an org mean in its `timezone`; travel between home visits is timed at `travelSpeedKmh`;
 * EVV records lock `evvLockDays` after the visit; an unacknowledged critical lab result escalates
 * after `criticalEscalationMinutes`. Messages older than `messageRetentionDays` are gone (null: kept;
 * docs/retention.md).
 */
export const OrgSettings = z.object({
  timezone: z.string().check(z.describe('IANA time zone of the org (default UTC)')),
  travelSpeedKmh: z.number().check(z.describe('Average travel speed between home visits (default 30)')),
  evvLockDays: z.number().check(z.int(), z.describe('Days after a visit until its EVV record locks (default 95)')),
  criticalEscalationMinutes: z.number().check(z.int(), z.describe('Minutes before an unacknowledged critical result escalates (default 30)')),
  messageRetentionDays: z.nullable(z.number().check(z.int())).check(
    z.describe('Days a message is kept after it was sent (null: kept for ever); older messages and their attachments are gone (default null)'),
  ),
  version: z.number().check(z.int(), z.describe('Starts at 1 (the defaults); PATCH sends back the version it read')),
});
export type OrgSettings = z.infer<typeof OrgSettings>;

/** `messageRetentionDays` is null (keep) or within these bounds (API.md, "Message retention"). */
export const MIN_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 3650;

export const UpdateOrgSettingsBody = z.strictObject({
  version: Version,
  timezone: z.optional(TimeZone),
  travelSpeedKmh: z.optional(z.number().check(z.minimum(5), z.maximum(120))),
  evvLockDays: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(3650))),
  criticalEscalationMinutes: z.optional(z.number().check(z.int(), z.minimum(5), z.maximum(240))),
  messageRetentionDays: z.optional(z.nullable(z.number().check(z.int(), z.minimum(MIN_RETENTION_DAYS), z.maximum(MAX_RETENTION_DAYS)))),
});
export type UpdateOrgSettingsBody = z.infer<typeof UpdateOrgSettingsBody>;

/** What an org has before anyone changes a setting (API.md). */
export const DEFAULT_ORG_SETTINGS: Omit<OrgSettings, 'version'> = {
  timezone: 'UTC',
  travelSpeedKmh: 30,
  evvLockDays: 95,
  criticalEscalationMinutes: 30,
  messageRetentionDays: null,
};
