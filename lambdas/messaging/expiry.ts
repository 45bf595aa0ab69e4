/**
 * When a message is gone (docs/retention.md). Pure functions of the org's retention, the
 * conversation's hold and "now"; the service asks them on every read, the send and the re-timing
 * ask them for the TTL they store.
 *
 * - Not held: a message sent at or before `max(conversation floor, org floor, now - retention)` is
 *   gone. The org floor (`expiredThrough` in the settings) is raised whenever the retention grows
 *   or is switched off, so what once expired never comes back.
 * - Held: only what was already gone when the hold was placed (the conversation floor, fixed then)
 *   is gone; nothing else expires until the hold is lifted, and then the rule above applies at once.
 *
 * Message ids are ULIDs of their send time (`sentAt` is decoded from the id), so "gone" is a range
 * of sort keys: every read asks DynamoDB only for the live range and never reads an expired item.
 */
import { decodeTime, encodeTime } from 'ulid';
import type { LegalHold } from '../../schemas/messaging.js';
import type { MessageRetentionSettings } from '../shared/people/org-settings.js';

export const DAY_MS = 86_400_000;

/**
 * DynamoDB TTL is set this long after the instant a message expires. Reads hide it from that
 * instant on; the slack leaves the re-timing (a retention that grows, a legal hold placed) an
 * hour to move the TTL before DynamoDB may delete an item that must now stay.
 */
export const TTL_SLACK_SECONDS = 3600;

/** What a conversation contributes: its hold, and the floor fixed when a hold was placed. */
export interface ConversationRetention {
  legalHold?: LegalHold | null;
  /** ISO 8601: messages sent at or before it are gone, whatever else holds. */
  expiredThrough?: string | null;
}

export type OrgRetention = Pick<MessageRetentionSettings, 'retentionDays' | 'expiredThrough'>;

const ms = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);
const maxOf = (...values: Array<number | null>): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? Math.max(...present) : null;
};

/** Messages sent at or before the returned instant (epoch ms) are gone; null: none is. */
export function cutoffMs(org: OrgRetention, conversation: ConversationRetention, nowMs: number): number | null {
  const floor = ms(conversation.expiredThrough);
  if (conversation.legalHold) return floor;
  return maxOf(floor, ms(org.expiredThrough), org.retentionDays === null ? null : nowMs - org.retentionDays * DAY_MS);
}

/** Whether the message with this id (a ULID) is still there at `cutoff`. */
export const isLive = (messageId: string, cutoff: number | null): boolean => cutoff === null || decodeTime(messageId) > cutoff;

/**
 * The lowest message id that is live at `cutoff`, as a ULID time prefix: every live id sorts at or
 * after it, every expired one before (the id's first 10 characters are its time). null: all are.
 */
export const firstLiveIdPrefix = (cutoff: number | null): string | null => (cutoff === null ? null : encodeTime(Math.max(cutoff + 1, 0), 10));

/**
 * The TTL (epoch seconds) a message sent at `sentAtMs` carries; undefined: it does not expire as
 * things stand (a hold, or no retention). Always after the instant reads stop showing it.
 */
export function messageTtl(sentAtMs: number, org: OrgRetention, conversation: ConversationRetention): number | undefined {
  const floor = ms(conversation.expiredThrough);
  let expiry: number;
  if (conversation.legalHold) {
    if (floor === null || sentAtMs > floor) return undefined;
    expiry = floor;
  } else {
    const gone = maxOf(floor, ms(org.expiredThrough));
    if (gone !== null && sentAtMs <= gone) expiry = gone;
    else if (org.retentionDays === null) return undefined;
    else expiry = sentAtMs + org.retentionDays * DAY_MS;
  }
  return Math.ceil(expiry / 1000) + TTL_SLACK_SECONDS;
}

/** One conversation an attachment is in: the newest of its messages there that names the file. */
export interface AttachmentUse {
  /** null: linked before retention existed (the message is not known), so it counts as live. */
  latestMessageId: string | null;
  conversation: ConversationRetention;
}

/** An attachment is there while any message naming it is (the uploader's unsent file always is). */
export function attachmentLive(uses: readonly AttachmentUse[], org: OrgRetention, nowMs: number): boolean {
  if (uses.length === 0) return true;
  return uses.some((u) => u.latestMessageId === null || isLive(u.latestMessageId, cutoffMs(org, u.conversation, nowMs)));
}

/** The attachment's TTL: the latest of its messages' TTLs; undefined while any of them has none. */
export function attachmentTtl(uses: readonly AttachmentUse[], org: OrgRetention): number | undefined {
  if (uses.length === 0) return undefined;
  let latest = 0;
  for (const u of uses) {
    if (u.latestMessageId === null) return undefined;
    const ttl = messageTtl(decodeTime(u.latestMessageId), org, u.conversation);
    if (ttl === undefined) return undefined;
    latest = Math.max(latest, ttl);
  }
  return latest;
}
