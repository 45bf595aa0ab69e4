/**
 * Message retention and legal hold (API.md, "Message retention"; docs/retention.md) on the local
 * stack: an admin sets a 30-day retention, a family member writes to an aide with PDFs attached in
 * two conversations, one of which goes on legal hold; the local clock moves 31 days. The messages
 * of the other conversation are gone from lists, counts, receipts and downloads at once, and the
 * TTL sweeper deletes their items and files (audit rows `delete` by the system); the held one keeps
 * everything until the hold is lifted, and then loses it at once.
 */
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient } from '../support/client.js';
import type { Json } from '../support/json.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};

const user = (role: string): DemoUser => stack.demoUsers!.users.find((u) => u.role === role)!;
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2048), Buffer.from('\n%%EOF\n')]);
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startTestStack('e2e-retention');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
});

afterAll(async () => {
  await stopTestStack(stack);
});

async function ok<T = Json>(res: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body as T;
}

/** Announces, uploads and answers an attachment id of the family user's. */
async function upload(name: string): Promise<string> {
  const a = await ok<{ attachmentId: string; uploadUrl: string }>(api(tokens.family, 'POST', '/attachments', { fileName: name, contentType: 'application/pdf', size: pdf.length }), 201);
  const put = await fetch(a.uploadUrl, { method: 'PUT', body: pdf, headers: { 'content-type': 'application/pdf' } });
  expect(put.status).toBe(200);
  return a.attachmentId;
}

const fileExists = async (orgId: string, attachmentId: string) =>
  access(path.join(stack.dataDir, 'attachments', 'files', orgId, attachmentId)).then(
    () => true,
    () => false,
  );

const now = async () => (await ok<{ now: string }>(api(undefined, 'GET', '/_local/clock'))).now;
const advance = async (ms: number) => ok(api(undefined, 'POST', '/_local/clock', { advanceTo: new Date(Date.parse(await now()) + ms).toISOString() }));

describe('message retention and legal hold', () => {
  it('hides expired messages at once, deletes them with their files, and keeps a held conversation until the hold is lifted', async () => {
    const orgId = stack.demoUsers!.orgId;
    const aide = user('aide');

    // ---- the setting: null by default, 30..3650, admin only -----------------------------------
    const before = await ok<{ messageRetentionDays: number | null; version: number }>(api(tokens.admin, 'GET', '/org/settings'));
    expect(before.messageRetentionDays).toBeNull();
    for (const bad of [29, 3651, 45.5, '30']) {
      const r = await api(tokens.admin, 'PATCH', '/org/settings', { version: before.version, messageRetentionDays: bad });
      expect(r.status, `messageRetentionDays ${JSON.stringify(bad)}`).toBe(400);
    }
    expect((await api(tokens.coordinator, 'PATCH', '/org/settings', { version: before.version, messageRetentionDays: 30 })).status).toBe(403);
    const set = await ok<{ messageRetentionDays: number; version: number }>(api(tokens.admin, 'PATCH', '/org/settings', { version: before.version, messageRetentionDays: 30 }));
    expect(set.messageRetentionDays).toBe(30);
    expect((await ok<{ messageRetentionDays: number }>(api(tokens.coordinator, 'GET', '/org/settings'))).messageRetentionDays).toBe(30);

    // ---- two conversations, two messages with a PDF each ---------------------------------------
    const plain = await ok<{ id: string }>(api(tokens.family, 'POST', '/conversations', { participantIds: [aide.userId], subject: 'Week plan' }), 201);
    const held = await ok<{ id: string }>(api(tokens.family, 'POST', '/conversations', { participantIds: [aide.userId], subject: 'The fall' }), 201);
    const sent: Record<string, { messageIds: string[]; attachmentIds: string[] }> = {};
    for (const c of [plain, held]) {
      sent[c.id] = { messageIds: [], attachmentIds: [] };
      for (const n of [1, 2]) {
        const attachmentId = await upload(`${c.id}-${n}.pdf`);
        const m = await ok<{ id: string }>(api(tokens.family, 'POST', `/conversations/${c.id}/messages`, { body: `Message ${n}`, attachmentIds: [attachmentId] }), 201);
        sent[c.id]!.messageIds.push(m.id);
        sent[c.id]!.attachmentIds.push(attachmentId);
      }
    }
    const unread = async () =>
      Object.fromEntries(
        (await ok<{ items: Array<{ id: string; unreadCount: number; lastMessageId: string | null }> }>(api(tokens.aide, 'GET', '/me/conversations?limit=100'))).items.map((c) => [c.id, c]),
      );
    expect((await unread())[plain.id]!.unreadCount).toBe(2);
    expect((await unread())[held.id]!.unreadCount).toBe(2);

    // ---- the legal hold: admin only, any conversation of the org, audited ----------------------
    const holdPath = `/conversations/${held.id}/legal-hold`;
    expect((await api(tokens.coordinator, 'PUT', holdPath, { hold: true, reason: 'Claim 2026-114' })).status).toBe(403);
    expect((await api(tokens['admin@other'], 'PUT', holdPath, { hold: true, reason: 'Claim 2026-114' })).status).toBe(404);
    const bad = await api(tokens.admin, 'PUT', holdPath, { hold: true, reason: '' });
    expect(bad.status).toBe(400);
    expect((await api(tokens.admin, 'PUT', holdPath, { hold: 'yes', reason: 'x' })).status).toBe(400);
    const placed = await ok<{ legalHold: { reason: string; since: string; by: string } }>(api(tokens.admin, 'PUT', holdPath, { hold: true, reason: 'Claim 2026-114' }));
    expect(placed.legalHold).toMatchObject({ reason: 'Claim 2026-114', by: user('admin').userId });
    // Staff see the conversation (not its messages) with its hold; participants too; outsiders never.
    const asAdmin = await ok<{ legalHold: unknown }>(api(tokens.admin, 'GET', `/conversations/${held.id}`));
    expect(asAdmin.legalHold).toEqual(placed.legalHold);
    expect((await ok<{ legalHold: unknown }>(api(tokens.aide, 'GET', `/conversations/${held.id}`))).legalHold).toEqual(placed.legalHold);
    expect((await ok<{ legalHold: unknown }>(api(tokens.aide, 'GET', `/conversations/${plain.id}`))).legalHold).toBeNull();
    expect((await api(tokens.admin, 'GET', `/conversations/${held.id}/messages`)).status).toBe(404);
    expect((await api(tokens.clinician, 'GET', `/conversations/${held.id}`)).status).toBe(404);
    expect((await api(tokens['coordinator@other'], 'GET', `/conversations/${held.id}`)).status).toBe(404);
    // The retention consumer takes the TTL off the held conversation's items.
    await stack.settle();

    // ---- 31 days later ------------------------------------------------------------------------
    await advance(31 * DAY);
    const fresh = await ok<{ id: string }>(api(tokens.family, 'POST', `/conversations/${plain.id}/messages`, { body: 'Back from holiday' }), 201);

    // Gone from the list, the counts and the last-message pointer, at once.
    const plainList = await ok<{ items: Array<{ id: string }> }>(api(tokens.aide, 'GET', `/conversations/${plain.id}/messages`));
    expect(plainList.items.map((m) => m.id)).toEqual([fresh.id]);
    const counts = await unread();
    expect(counts[plain.id]).toMatchObject({ unreadCount: 1, lastMessageId: fresh.id });
    expect(counts[held.id]).toMatchObject({ unreadCount: 2, lastMessageId: sent[held.id]!.messageIds[1] });
    expect((await ok<{ unreadCount: number }>(api(tokens.aide, 'GET', `/conversations/${plain.id}`))).unreadCount).toBe(1);
    // A receipt cannot name an expired message; one for the live message leaves nothing unread.
    const stale = await api(tokens.aide, 'POST', `/conversations/${plain.id}/read`, { upToMessageId: sent[plain.id]!.messageIds[1] });
    expect(stale.status).toBe(400);
    // Downloads: gone for everyone, the uploader too; the held conversation's files are still there.
    for (const t of [tokens.aide, tokens.family]) {
      for (const a of sent[plain.id]!.attachmentIds) expect((await api(t, 'GET', `/attachments/${a}`)).status).toBe(404);
      for (const a of sent[held.id]!.attachmentIds) expect((await api(t, 'GET', `/attachments/${a}`)).status).toBe(200);
    }
    // An expired file cannot be sent again either.
    expect((await api(tokens.family, 'POST', `/conversations/${plain.id}/messages`, { body: 'again', attachmentIds: [sent[plain.id]!.attachmentIds[0]] })).status).toBe(400);
    const heldList = await ok<{ items: Array<{ id: string }> }>(api(tokens.aide, 'GET', `/conversations/${held.id}/messages`));
    expect(heldList.items.map((m) => m.id).sort()).toEqual([...sent[held.id]!.messageIds].sort());

    // The clock move swept the expired items (DynamoDB TTL); their files follow on the stream.
    await stack.settle();
    for (const a of sent[plain.id]!.attachmentIds) expect(await fileExists(orgId, a)).toBe(false);
    for (const a of sent[held.id]!.attachmentIds) expect(await fileExists(orgId, a)).toBe(true);
    const deletions = await queryAudit(
      stack.dataDir,
      `SELECT entity_type, entity_id, actor_id, source FROM audit_events WHERE org = '${orgId}' AND action = 'delete' AND entity_type IN ('Message', 'Attachment') ORDER BY entity_id`,
    );
    const deletedIds = deletions.map((r) => r.entity_id);
    expect(deletedIds.sort()).toEqual([...sent[plain.id]!.messageIds, ...sent[plain.id]!.attachmentIds].sort());
    expect(deletions.every((r) => r.actor_id === 'system' && r.source === 'system')).toBe(true);

    // ---- the hold lifted: what is past retention expires at once --------------------------------
    const lifted = await ok<{ legalHold: unknown }>(api(tokens.admin, 'PUT', holdPath, { hold: false, reason: 'Claim settled' }));
    expect(lifted.legalHold).toBeNull();
    expect((await ok<{ items: unknown[] }>(api(tokens.aide, 'GET', `/conversations/${held.id}/messages`))).items).toEqual([]);
    expect((await unread())[held.id]).toMatchObject({ unreadCount: 0, lastMessageId: null });
    for (const a of sent[held.id]!.attachmentIds) expect((await api(tokens.family, 'GET', `/attachments/${a}`)).status).toBe(404);
    expect((await ok<{ legalHold: unknown }>(api(tokens.admin, 'GET', `/conversations/${held.id}`))).legalHold).toBeNull();

    // The re-timing gives them a TTL in the past; the next sweep deletes them and their files.
    await stack.settle();
    await advance(60_000);
    await stack.settle();
    for (const a of sent[held.id]!.attachmentIds) expect(await fileExists(orgId, a)).toBe(false);
    const heldDeletions = await queryAudit(
      stack.dataDir,
      `SELECT entity_id FROM audit_events WHERE org = '${orgId}' AND action = 'delete' AND source = 'system' AND entity_type IN ('Message', 'Attachment')`,
    );
    for (const id of [...sent[held.id]!.messageIds, ...sent[held.id]!.attachmentIds]) expect(heldDeletions.map((r) => r.entity_id)).toContain(id);

    // The hold and its lifting are in the trail, by the admin.
    const holds = await queryAudit(
      stack.dataDir,
      `SELECT action, actor_id FROM audit_events WHERE org = '${orgId}' AND entity_type = 'Conversation' AND entity_id = '${held.id}' AND action LIKE 'legal_hold%' ORDER BY "at"`,
    );
    expect(holds).toEqual([
      { action: 'legal_hold', actor_id: user('admin').userId },
      { action: 'legal_hold_lifted', actor_id: user('admin').userId },
    ]);
    // The live message is untouched.
    expect((await ok<{ items: Array<{ id: string }> }>(api(tokens.aide, 'GET', `/conversations/${plain.id}/messages`))).items.map((m) => m.id)).toEqual([fresh.id]);
  });
});
