/**
 * Secure messaging as the apps use it, on the local stack: a family member and an aide talk about
 * a resident they both care for, attach a PDF through the signed upload URL, read each other's
 * messages; outsiders see nothing; realtime and the audit trail follow.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../local/audit-query.js';
import type { DemoUser } from '../../local/seed.js';
import type { LocalStack } from '../../local/stack.js';
import { apiClient, eventually, ON_MY_EVENT, ON_PATIENT_EVENT, RealtimeConnection } from '../support/client.js';
import { signInDemoUsers, startTestStack, stopTestStack } from '../support/local-stack.js';

let stack: LocalStack;
let api: ReturnType<typeof apiClient>;
const tokens: Record<string, string> = {};
let margaret: string; // aide, clinician and family are on her care team
let walter: string; // nobody's

const user = (role: string, org: 'first' | 'other' = 'first'): DemoUser =>
  (org === 'first' ? stack.demoUsers!.users : stack.demoUsers!.otherOrg.users).find((u) => u.role === role)!;

/** A small but real-looking PDF with random content, so "bytes identical" means something. */
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% care plan\n'), randomBytes(4096), Buffer.from('\n%%EOF\n')]);

beforeAll(async () => {
  stack = await startTestStack('e2e-messaging');
  api = apiClient(stack.outputs);
  Object.assign(tokens, await signInDemoUsers(stack));
  margaret = stack.demoUsers!.patients[0]!.patientId;
  walter = stack.demoUsers!.patients[1]!.patientId;
});

afterAll(async () => {
  await stopTestStack(stack);
});

describe('a family member and an aide talk about a resident', () => {
  it('creates the conversation, shares a PDF, follows read receipts and unread counts, keeps outsiders out, and audits it', async () => {
    const family = user('family');
    const aide = user('aide');
    const clinician = user('clinician');

    const aideLive = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.aide!);
    const clinicianLive = await RealtimeConnection.open(stack.outputs.RealtimeUrl, tokens.clinician!);
    try {
      const aideInbox = await aideLive.start(ON_MY_EVENT);
      expect(aideInbox.ack.type).toBe('start_ack');
      // The clinician may see Margaret but is not in the conversation: nothing of it may reach them.
      const clinicianPatient = await clinicianLive.start(ON_PATIENT_EVENT, { patientId: margaret });
      expect(clinicianPatient.ack.type).toBe('start_ack');

      // ---- the conversation ----------------------------------------------------------------
      const created = await api(tokens.family, 'POST', '/conversations', {
        participantIds: [aide.userId],
        patientId: margaret,
        subject: "Mum's week",
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const conversationId: string = created.body.id;
      expect(created.body).toMatchObject({ patientId: margaret, participantIds: [family.userId, aide.userId], messageCount: 0, unreadCount: 0 });

      // ---- the attachment: announce, upload through the signed URL ---------------------------
      const announced = await api(tokens.family, 'POST', '/attachments', { fileName: 'care-plan.pdf', contentType: 'application/pdf', size: pdf.length });
      expect(announced.status, JSON.stringify(announced.body)).toBe(201);
      const { attachmentId, uploadUrl } = announced.body as { attachmentId: string; uploadUrl: string };
      expect(Date.parse(announced.body.expiresAt)).toBeGreaterThan(Date.now());

      const forged = new URL(uploadUrl);
      forged.searchParams.set('signature', 'A'.repeat(43));
      const wrongSignature = await fetch(forged, { method: 'PUT', body: pdf, headers: { 'content-type': 'application/pdf' } });
      expect(wrongSignature.status).toBe(403);
      const otherSize = new URL(uploadUrl);
      otherSize.searchParams.set('size', String(20 * 1024 * 1024)); // a bigger file than signed
      expect((await fetch(otherSize, { method: 'PUT', body: pdf, headers: { 'content-type': 'application/pdf' } })).status).toBe(403);

      const oversize = await fetch(uploadUrl, { method: 'PUT', body: Buffer.concat([pdf, Buffer.alloc(1024)]), headers: { 'content-type': 'application/pdf' } });
      expect(oversize.status).toBe(413);
      const wrongType = await fetch(uploadUrl, { method: 'PUT', body: pdf, headers: { 'content-type': 'image/png' } });
      expect(wrongType.status).toBe(400);
      // Nothing partial is kept: sending it now is refused as "not uploaded".
      const early = await api(tokens.family, 'POST', `/conversations/${conversationId}/messages`, { body: 'Plan attached', attachmentIds: [attachmentId] });
      expect(early.status).toBe(400);

      const uploaded = await fetch(uploadUrl, { method: 'PUT', body: pdf, headers: { 'content-type': 'application/pdf' } });
      expect(uploaded.status).toBe(200);

      // ---- bad input writes nothing ----------------------------------------------------------
      expect((await api(tokens.family, 'POST', `/conversations/${conversationId}/messages`, { body: '' })).status).toBe(400);
      expect((await api(tokens.family, 'POST', `/conversations/${conversationId}/messages`, { body: 'x'.repeat(4001) })).status).toBe(400);
      expect((await api(tokens.family, 'POST', `/conversations/${conversationId}/messages`, { body: 'hi', attachmentIds: ['01UNKNOWNATTACHMENT0000000'] })).status).toBe(400);
      // The aide may not send the family member's file.
      const stolen = await api(tokens.aide, 'POST', `/conversations/${conversationId}/messages`, { body: 'hi', attachmentIds: [attachmentId] });
      expect(stolen.status).toBe(400);
      expect(stolen.body.error.code).toBe('validation_failed');
      expect((await api(tokens.family, 'POST', '/attachments', { fileName: 'scan.pdf', contentType: 'application/pdf', size: 10 * 1024 * 1024 + 1 })).status).toBe(400);
      expect((await api(tokens.family, 'POST', '/attachments', { fileName: 'x.zip', contentType: 'application/zip', size: 10 })).status).toBe(400);
      const foreign = await api(tokens.family, 'POST', '/conversations', { participantIds: [user('admin', 'other').userId] });
      expect(foreign.status).toBe(400);
      expect(foreign.body.error.details).toEqual([{ path: 'body.participantIds.0', message: 'no such user in your organisation' }]);
      expect((await api(tokens.family, 'POST', '/conversations', { participantIds: [aide.userId], patientId: walter })).status).toBe(404);
      expect((await api(tokens.compliance, 'POST', '/conversations', { participantIds: [aide.userId] })).status).toBe(403);
      expect((await api(tokens.family, 'GET', `/conversations/${conversationId}/messages`)).body.items).toEqual([]);
      expect((await api(tokens.family, 'GET', '/me/conversations')).body.items).toHaveLength(1);

      // ---- the message, realtime, the download ------------------------------------------------
      const sent = await api(tokens.family, 'POST', `/conversations/${conversationId}/messages`, { body: 'Her new care plan is attached.', attachmentIds: [attachmentId] });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect(sent.body).toMatchObject({
        conversationId,
        senderId: family.userId,
        attachments: [{ attachmentId, fileName: 'care-plan.pdf', contentType: 'application/pdf', size: pdf.length }],
      });
      const first: string = sent.body.id;

      const event = await aideLive.next((m) => m.id === aideInbox.id && m.type === 'data' && m.payload.data.onMyEvent.type === 'MessageSent');
      const payload = event.payload.data.onMyEvent;
      expect(payload).toMatchObject({ recipientId: aide.userId, entityType: 'Message', entityId: first, patientId: null });
      expect(JSON.parse(payload.data).conversationId).toBe(conversationId);
      expect(JSON.stringify(payload)).not.toContain('care plan'); // ids and field names only

      const aideList = await api(tokens.aide, 'GET', '/me/conversations');
      expect(aideList.body.items).toEqual([expect.objectContaining({ id: conversationId, unreadCount: 1, lastMessageId: first, subject: "Mum's week" })]);

      const messages = await api(tokens.aide, 'GET', `/conversations/${conversationId}/messages`);
      expect(messages.body.items.map((m: { id: string }) => m.id)).toEqual([first]);

      const download = await api(tokens.aide, 'GET', `/attachments/${attachmentId}`);
      expect(download.status).toBe(200);
      expect(download.body).toMatchObject({ attachmentId, fileName: 'care-plan.pdf', contentType: 'application/pdf', size: pdf.length });
      expect(Date.parse(download.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
      const file = await fetch(download.body.downloadUrl);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
      const tampered = download.body.downloadUrl.replace('care-plan.pdf', 'other.pdf');
      expect((await fetch(tampered)).status).toBe(403);

      // ---- read receipts and unread counts ---------------------------------------------------
      const read = await api(tokens.aide, 'POST', `/conversations/${conversationId}/read`, { upToMessageId: first });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ userId: aide.userId, lastReadMessageId: first, unreadCount: 0 });
      const seen = await api(tokens.family, 'GET', `/conversations/${conversationId}`);
      expect(seen.body.readState).toEqual(
        expect.arrayContaining([expect.objectContaining({ userId: aide.userId, lastReadMessageId: first }), expect.objectContaining({ userId: family.userId, lastReadMessageId: first })]),
      );

      const reply1 = await api(tokens.aide, 'POST', `/conversations/${conversationId}/messages`, { body: 'Thanks, I read it.' });
      const reply2 = await api(tokens.aide, 'POST', `/conversations/${conversationId}/messages`, { body: 'She ate well today.' });
      expect([reply1.status, reply2.status]).toEqual([201, 201]);
      expect((await api(tokens.family, 'GET', '/me/conversations')).body.items[0]).toMatchObject({ id: conversationId, unreadCount: 2 });
      const partly = await api(tokens.family, 'POST', `/conversations/${conversationId}/read`, { upToMessageId: reply1.body.id });
      expect(partly.body.unreadCount).toBe(1);
      // Never backwards: an older receipt changes nothing.
      const backwards = await api(tokens.family, 'POST', `/conversations/${conversationId}/read`, { upToMessageId: first });
      expect(backwards.body).toMatchObject({ lastReadMessageId: reply1.body.id, unreadCount: 1 });
      const newest = await api(tokens.family, 'GET', `/conversations/${conversationId}/messages?limit=2`);
      expect(newest.body.items.map((m: { id: string }) => m.id)).toEqual([reply2.body.id, reply1.body.id]);
      const older = await api(tokens.family, 'GET', `/conversations/${conversationId}/messages?limit=2&cursor=${encodeURIComponent(newest.body.nextCursor)}`);
      expect(older.body.items.map((m: { id: string }) => m.id)).toEqual([first]);

      // ---- outsiders see nothing -------------------------------------------------------------
      // Staff of the org may read the conversation itself (API.md, "Message retention": its legal
      // hold), never its messages or files.
      const asStaff = await api(tokens.coordinator, 'GET', `/conversations/${conversationId}`);
      expect(asStaff.status).toBe(200);
      expect(asStaff.body).toMatchObject({ id: conversationId, legalHold: null, unreadCount: 0 });
      for (const outsider of [tokens.clinician, tokens['admin@other']]) expect((await api(outsider, 'GET', `/conversations/${conversationId}`)).status).toBe(404);
      for (const outsider of [tokens.clinician, tokens['admin@other'], tokens.coordinator]) {
        expect((await api(outsider, 'GET', `/conversations/${conversationId}/messages`)).status).toBe(404);
        expect((await api(outsider, 'POST', `/conversations/${conversationId}/messages`, { body: 'let me in' })).status).toBe(404);
        expect((await api(outsider, 'POST', `/conversations/${conversationId}/read`, { upToMessageId: first })).status).toBe(404);
        expect((await api(outsider, 'GET', `/attachments/${attachmentId}`)).status).toBe(404);
      }
      expect((await api(tokens.clinician, 'GET', '/me/conversations')).body.items).toEqual([]);
      await stack.settle();
      expect(clinicianLive.drainData(clinicianPatient.id).map((m) => m.payload.data.onPatientEvent.type)).not.toContain('MessageSent');

      // A participant brings the clinician in: from then on they see the conversation, not the past as unread.
      const added = await api(tokens.family, 'POST', `/conversations/${conversationId}/participants`, { userId: clinician.userId });
      expect(added.status, JSON.stringify(added.body)).toBe(201);
      const clinicianView = await api(tokens.clinician, 'GET', `/conversations/${conversationId}`);
      expect(clinicianView.status).toBe(200);
      expect(clinicianView.body).toMatchObject({ unreadCount: 0, participantIds: [family.userId, aide.userId, clinician.userId] });
      expect((await api(tokens.clinician, 'GET', `/attachments/${attachmentId}`)).status).toBe(200);

      // ---- the audit trail -------------------------------------------------------------------
      await stack.settle();
      const sends = await eventually(async () => {
        const rows = await queryAudit(stack.dataDir, `SELECT actor_id, entity_id, patient_id FROM audit_events WHERE entity_type = 'Message' AND action = 'create' ORDER BY entity_id`);
        return rows.length === 3 ? rows : undefined;
      });
      expect(sends).toEqual([
        { actor_id: family.userId, entity_id: first, patient_id: margaret },
        { actor_id: aide.userId, entity_id: reply1.body.id, patient_id: margaret },
        { actor_id: aide.userId, entity_id: reply2.body.id, patient_id: margaret },
      ]);
      const reads = await queryAudit(
        stack.dataDir,
        `SELECT actor_id, changed_fields FROM audit_events WHERE entity_type = 'ConversationParticipant' AND action = 'read' AND request_id = '${read.headers.get('x-request-id')}'`,
      );
      expect(reads).toEqual([{ actor_id: aide.userId, changed_fields: ['lastReadMessageId', 'readAt', 'unreadCount'] }]);
      const downloads = await queryAudit(stack.dataDir, `SELECT actor_id, entity_id, patient_id FROM audit_events WHERE action = 'download' ORDER BY "at"`);
      expect(downloads).toEqual([
        { actor_id: aide.userId, entity_id: attachmentId, patient_id: margaret },
        { actor_id: clinician.userId, entity_id: attachmentId, patient_id: margaret },
      ]);
      // The upload refused as oversize left no file behind, and the accepted one was moved out of pending/.
      const kept = await readdir(path.join(stack.dataDir, 'attachments', 'files', stack.demoUsers!.orgId));
      expect(kept).toEqual([attachmentId]);
      const pending = await readdir(path.join(stack.dataDir, 'attachments', 'pending', stack.demoUsers!.orgId));
      expect(pending).toEqual([attachmentId]); // expires by lifecycle on S3
    } finally {
      aideLive.close();
      clinicianLive.close();
    }
  });
});
