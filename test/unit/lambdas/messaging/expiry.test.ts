import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { attachmentLive, attachmentTtl, cutoffMs, DAY_MS, firstLiveIdPrefix, isLive, messageTtl, TTL_SLACK_SECONDS } from '../../../../lambdas/messaging/expiry.js';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const days = (n: number) => n * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString();
const org30 = { retentionDays: 30, expiredThrough: null };
const keep = { retentionDays: null, expiredThrough: null };
const hold = { reason: 'Claim', since: iso(NOW - days(10)), by: 'admin' };

describe('cutoffMs', () => {
  it('is null without a retention, now or before', () => {
    expect(cutoffMs(keep, {}, NOW)).toBeNull();
  });

  it('is now - retention, or a higher floor of the org or the conversation', () => {
    expect(cutoffMs(org30, {}, NOW)).toBe(NOW - days(30));
    expect(cutoffMs({ retentionDays: 365, expiredThrough: iso(NOW - days(40)) }, {}, NOW)).toBe(NOW - days(40));
    expect(cutoffMs(org30, { expiredThrough: iso(NOW - days(5)) }, NOW)).toBe(NOW - days(5));
    expect(cutoffMs(keep, { expiredThrough: iso(NOW - days(50)) }, NOW)).toBe(NOW - days(50));
  });

  it('while held is only the floor fixed when the hold was placed', () => {
    expect(cutoffMs(org30, { legalHold: hold, expiredThrough: iso(NOW - days(40)) }, NOW)).toBe(NOW - days(40));
    expect(cutoffMs(org30, { legalHold: hold }, NOW)).toBeNull();
  });
});

describe('isLive and the first live id', () => {
  const cutoff = NOW - days(30);

  it('is gone at exactly the cutoff and live a millisecond after', () => {
    expect(isLive(ulid(cutoff), cutoff)).toBe(false);
    expect(isLive(ulid(cutoff + 1), cutoff)).toBe(true);
    expect(isLive(ulid(0), null)).toBe(true);
  });

  it('sorts every live id at or after the prefix and every expired one before it', () => {
    const prefix = firstLiveIdPrefix(cutoff)!;
    for (let i = 0; i < 50; i++) {
      expect(ulid(cutoff) < prefix).toBe(true);
      expect(ulid(cutoff - 1000 * i) < prefix).toBe(true);
      expect(ulid(cutoff + 1) >= prefix).toBe(true);
      expect(ulid(cutoff + 1 + 1000 * i) >= prefix).toBe(true);
    }
    expect(firstLiveIdPrefix(null)).toBeNull();
  });
});

describe('messageTtl', () => {
  const sent = NOW - days(1) + 123;

  it('is the expiry, rounded up to the second, plus the slack', () => {
    expect(messageTtl(sent, org30, {})).toBe(Math.ceil((sent + days(30)) / 1000) + TTL_SLACK_SECONDS);
    // Never before reads stop showing it.
    expect(messageTtl(sent, org30, {})! * 1000).toBeGreaterThan(sent + days(30));
  });

  it('is none without a retention, and none while held for what is not yet gone', () => {
    expect(messageTtl(sent, keep, {})).toBeUndefined();
    expect(messageTtl(sent, org30, { legalHold: hold, expiredThrough: iso(NOW - days(40)) })).toBeUndefined();
  });

  it('is in the past for what a floor has already made gone, held or not', () => {
    const floor = NOW - days(40);
    const old = floor - days(1);
    expect(messageTtl(old, org30, { legalHold: hold, expiredThrough: iso(floor) })).toBe(Math.ceil(floor / 1000) + TTL_SLACK_SECONDS);
    expect(messageTtl(old, { retentionDays: null, expiredThrough: iso(floor) }, {})).toBe(Math.ceil(floor / 1000) + TTL_SLACK_SECONDS);
    expect(messageTtl(old, { retentionDays: null, expiredThrough: iso(floor) }, {})! * 1000).toBeLessThan(NOW);
  });
});

describe('attachments', () => {
  const older = ulid(NOW - days(40));
  const newer = ulid(NOW - days(2));

  it('live while any message naming it is; an unsent file always is', () => {
    expect(attachmentLive([], org30, NOW)).toBe(true);
    expect(attachmentLive([{ latestMessageId: older, conversation: {} }], org30, NOW)).toBe(false);
    expect(attachmentLive([{ latestMessageId: older, conversation: {} }, { latestMessageId: newer, conversation: {} }], org30, NOW)).toBe(true);
    expect(attachmentLive([{ latestMessageId: older, conversation: { legalHold: hold } }], org30, NOW)).toBe(true);
    // Linked before retention was kept: the message is not known, so the file stays.
    expect(attachmentLive([{ latestMessageId: null, conversation: {} }], org30, NOW)).toBe(true);
  });

  it('has the latest TTL of its messages, and none while any of them has none', () => {
    const both = [{ latestMessageId: older, conversation: {} }, { latestMessageId: newer, conversation: {} }];
    expect(attachmentTtl(both, org30)).toBe(messageTtl(NOW - days(2), org30, {}));
    expect(attachmentTtl([...both, { latestMessageId: newer, conversation: { legalHold: hold } }], org30)).toBeUndefined();
    expect(attachmentTtl([], org30)).toBeUndefined();
  });
});
