import { decodeTime, ulid } from 'ulid';
import type {
  AddParticipantBody,
  AttachmentDownload,
  AttachmentRef,
  AttachmentUpload,
  Conversation,
  ConversationSummary,
  CreateAttachmentBody,
  CreateConversationBody,
  LegalHold,
  LegalHoldBody,
  LegalHoldState,
  Message,
  ReadReceipt,
  SendMessageBody,
} from '../../schemas/messaging.js';
import { MAX_PARTICIPANTS } from '../../schemas/messaging.js';
import type { Role } from '../../schemas/roles.js';
import type { User } from '../../schemas/identity.js';
import type { People } from '../shared/people/people.js';
import type { OrgSettingsRepository } from '../shared/people/org-settings.js';
import type { Clock } from '../shared/clock.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import type { AttachmentStore } from './attachment-store.js';
import { attachmentLive, attachmentTtl, cutoffMs, firstLiveIdPrefix, isLive, messageTtl, type AttachmentUse } from './expiry.js';
import { AttachmentObjectKeys } from './keys.js';
import { MessageRetiming } from './retention.js';
import type { AttachmentRecord, ConversationRecord, MessageRecord, MessagingRepository, ParticipantRecord } from './repository.js';


/** An upload URL is good for 15 minutes; a download URL for 5 (it is fetched at once). */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_SECONDS = 5 * 60;
/**
 * Rounds of "read the conversation, send" when parallel sends keep overtaking each other. Every
 * send updates META, so N parallel sends to one conversation commit one at a time. Measured with
 * the parallel-send test (40 sends at once; 5 runs, 200 sends, quiet machine), with the backoff
 * of `pause` below, the slowest send needed 9 rounds. On a loaded CI run, a 12-round budget with
 * the linear backoff used before ran out (a 409); 16 leaves room.
 */
const SEND_ATTEMPTS = 16;
const RECEIPT_ATTEMPTS = 8;
const ADD_ATTEMPTS = 8;

/**
 * Secure messaging use cases (API.md, "Messaging"). No HTTP, no SDK. Access: a conversation is
 * visible to its participants only (anyone else gets 404, as if it did not exist); a conversation
 * about a patient additionally needs the participant to still be allowed to see that patient, so a
 * care-team removal ends access to the conversations about the resident at once.
 */
export class MessagingService {
  constructor(
    private readonly repo: MessagingRepository,
    private readonly people: People,
    private readonly policy: AccessPolicy,
    private readonly store: AttachmentStore,
    private readonly db: Db,
    private readonly settings: OrgSettingsRepository,
    private readonly clock: Clock,
  ) {}

  // ---- conversations -----------------------------------------------------------------------

  async createConversation(caller: Caller, ctx: WriteContext, body: CreateConversationBody, idem?: IdempotencyRequest): Promise<Conversation> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Conversation;
    if (body.patientId) await this.assertPatientInReach(caller, body.patientId);

    const others = [...new Set(body.participantIds)].filter((id) => id !== caller.userId);
    if (others.length === 0) {
      throw new ValidationError('A conversation needs someone besides you', [{ path: 'body.participantIds', message: 'name at least one other user' }]);
    }
    if (others.length + 1 > MAX_PARTICIPANTS) {
      throw new ValidationError(`At most ${MAX_PARTICIPANTS} participants, you included`, [
        { path: 'body.participantIds', message: `at most ${MAX_PARTICIPANTS - 1} others` },
      ]);
    }
    const users = await this.eligibleUsers(caller.orgId, others, body.patientId, (i) => `body.participantIds.${body.participantIds.indexOf(others[i]!)}`);

    const conversation: ConversationRecord = {
      id: ulid(Date.parse(ctx.now)),
      orgId: ctx.orgId,
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      createdBy: caller.userId,
      ...(body.subject ? { subject: body.subject } : {}),
      ...(body.patientId ? { patientId: body.patientId } : {}),
      participantIds: [caller.userId, ...others],
      lastMessageId: null,
      lastActivityAt: ctx.now,
      messageCount: 0,
    };
    const participants = [{ userId: caller.userId, role: primaryRole(caller.roles) }, ...users.map((u) => ({ userId: u.userId, role: u.role }))];
    const response = conversationView(conversation, [], caller.userId, { cutoff: null, unread: 0 });
    return (await this.repo.conversations.createConversation(ctx, conversation, participants, idem, response)) as Conversation;
  }

  async listMyConversations(caller: Caller, page: PageRequest): Promise<Page<ConversationSummary>> {
    const out = await this.repo.conversations.listMyConversations(caller.orgId, caller.userId, page);
    if (out.items.length === 0) return { items: [], nextCursor: out.nextCursor };
    const org = await this.settings.messageRetention(caller.orgId);
    // Without a retention (now or before) nothing has ever expired: the items answer alone.
    if (org.retentionDays === null && org.expiredThrough === null) return { items: out.items.map((p) => summaryView(p, null, p.unreadCount)), nextCursor: out.nextCursor };
    const metas = new Map((await this.repo.conversations.getConversations(caller.orgId, out.items.map((p) => p.conversationId))).map((c) => [c.id, c]));
    const now = this.clock.now().getTime();
    const items = await Promise.all(
      out.items.map(async (p) => {
        const cutoff = cutoffMs(org, metas.get(p.conversationId) ?? {}, now);
        return summaryView(p, cutoff, await this.unreadOf(caller.orgId, p, cutoff));
      }),
    );
    return { items, nextCursor: out.nextCursor };
  }

  /** Participants see their conversation; staff of the org see any (its metadata, not its messages). */
  async getConversation(caller: Caller, conversationId: string): Promise<Conversation> {
    const me = await this.repo.conversations.getParticipant(caller.orgId, conversationId, caller.userId);
    if (!me && !isStaff(caller)) throw notFound();
    if (me?.patientId && !(await this.policy.canSeePatient(caller, me.patientId))) throw notFound();
    const [conversation, participants, org] = await Promise.all([
      this.repo.conversations.getConversation(caller.orgId, conversationId),
      this.repo.conversations.listParticipants(caller.orgId, conversationId),
      this.settings.messageRetention(caller.orgId),
    ]);
    if (!conversation) throw notFound();
    const cutoff = cutoffMs(org, conversation, this.clock.now().getTime());
    const unread = me ? await this.unreadOf(caller.orgId, me, cutoff) : 0;
    return conversationView(conversation, participants, caller.userId, { cutoff, unread });
  }

  /**
   * Places or lifts a legal hold (admin, any conversation of the org). Placing fixes what was
   * already gone at that moment; while held nothing else expires, and the re-timing (the messaging
   * retention stream consumer) takes the TTL off every message and file in it. Lifting lets the
   * retention apply at once. Placing it again changes only the reason; lifting an unheld
   * conversation changes nothing.
   */
  async setLegalHold(caller: Caller, ctx: WriteContext, conversationId: string, body: LegalHoldBody): Promise<LegalHoldState> {
    for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
      const conversation = await this.repo.conversations.getConversation(caller.orgId, conversationId);
      if (!conversation) throw notFound();
      const held = conversation.legalHold ?? null;
      let next: LegalHold | null;
      let expiredThrough = conversation.expiredThrough ?? null;
      if (body.hold) {
        if (held?.reason === body.reason) return { conversationId, legalHold: held };
        next = held ? { ...held, reason: body.reason } : { reason: body.reason, since: ctx.now, by: caller.userId };
        if (!held) {
          const cutoff = cutoffMs(await this.settings.messageRetention(caller.orgId), conversation, Date.parse(ctx.now));
          expiredThrough = cutoff === null ? null : new Date(cutoff).toISOString();
        }
      } else {
        if (!held) return { conversationId, legalHold: null };
        next = null;
      }
      const lifted = body.hold ? undefined : { reason: body.reason, at: ctx.now, by: caller.userId };
      if (await this.repo.conversations.setLegalHold(ctx, conversation, next, expiredThrough, lifted)) return { conversationId, legalHold: next };
      await pause(attempt);
    }
    throw new ConflictError('The conversation is busy; try again');
  }

  async addParticipant(caller: Caller, ctx: WriteContext, conversationId: string, body: AddParticipantBody, idem?: IdempotencyRequest): Promise<Conversation> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Conversation;
    await this.participation(caller, conversationId);
    for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
      const conversation = await this.repo.conversations.getConversation(caller.orgId, conversationId);
      if (!conversation) throw notFound();
      if (conversation.participantIds.includes(body.userId)) throw new ConflictError('This user already takes part in the conversation');
      if (conversation.participantIds.length >= MAX_PARTICIPANTS) {
        throw new ConflictError(`The conversation already has the maximum of ${MAX_PARTICIPANTS} participants`);
      }
      const [user] = await this.eligibleUsers(caller.orgId, [body.userId], conversation.patientId, () => 'body.userId');
      const participants = await this.repo.conversations.listParticipants(caller.orgId, conversationId);
      const after: ConversationRecord = {
        ...conversation,
        participantIds: [...conversation.participantIds, user!.userId],
        version: conversation.version + 1,
        updatedAt: ctx.now,
      };
      const joined: ParticipantRecord = {
        conversationId,
        userId: user!.userId,
        role: user!.role,
        version: 1,
        participantIds: after.participantIds,
        lastMessageId: conversation.lastMessageId,
        lastActivityAt: ctx.now,
        unreadCount: 0,
        lastReadMessageId: conversation.lastMessageId,
        readAt: null,
      };
      const response = conversationView(after, [...participants, joined], caller.userId, { cutoff: null, unread: 0 });
      const out = await this.repo.conversations.addParticipant(ctx, conversation, { userId: user!.userId, role: user!.role }, idem, response);
      if (out.ok) return out.response as Conversation;
      if (out.reason === 'already') throw new ConflictError('This user already takes part in the conversation');
      await pause(attempt);
    }
    throw new ConflictError('The conversation is busy; try again');
  }

  // ---- messages ----------------------------------------------------------------------------

  async sendMessage(caller: Caller, ctx: WriteContext, conversationId: string, body: SendMessageBody, idem?: IdempotencyRequest): Promise<Message> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as Message;
    await this.participation(caller, conversationId);
    const attachments = await this.ownUploadedAttachments(caller, body.attachmentIds ?? [], conversationId);
    // The file moves out of `pending/` (expired after a day) before the message names it.
    for (const a of attachments) if (a.objectKey !== a.keptKey) await this.store.copy(a.objectKey, a.keptKey);
    const refs: AttachmentRef[] = attachments.map((a) => ({ attachmentId: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size }));

    // The org's retention, read once: a retry re-reads only the conversation, so the window between
    // reading it and committing stays as short as before retention (parallel sends race on META).
    // The settings are checked again after the commit (retimeIfSettingsMoved).
    const org = await this.settings.messageRetention(caller.orgId);
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      const conversation = await this.repo.conversations.getConversation(caller.orgId, conversationId);
      if (!conversation) throw notFound();
      const id = nextMessageId(Date.parse(ctx.now), conversation.lastMessageId);
      const message: MessageRecord = {
        id,
        conversationId,
        senderId: caller.userId,
        body: body.body,
        attachments: refs,
        sentAt: new Date(decodeTime(id)).toISOString(),
        // Stored at send time: the realtime rule addresses MessageSent to exactly these users.
        recipientIds: conversation.participantIds.filter((u) => u !== caller.userId),
        ...(conversation.patientId ? { patientId: conversation.patientId } : {}),
      };
      // The TTLs follow the settings and the hold as read. The send commits only if the hold is
      // as read (META is in the transaction anyway); the settings are checked after the commit,
      // since a condition on the org's one settings item would make every send of the org conflict.
      const here: AttachmentUse = { latestMessageId: id, conversation };
      const timed = attachments.map((a) => ({ ...a, ttl: attachmentTtl([...a.elsewhere, here], org) }));
      const out = await this.repo.messages.send(ctx, conversation, message, timed, messageTtl(decodeTime(id), org, conversation), idem, messageView(message));
      if (out.ok) {
        await this.retimeIfSettingsMoved(ctx, conversationId, org.version);
        return out.response as Message;
      }
      if (out.reason === 'attachment_refused') throw attachmentError(0);
      await pause(attempt);
    }
    throw new ConflictError('The conversation is busy; try again');
  }

  async listMessages(caller: Caller, conversationId: string, page: PageRequest): Promise<Page<Message>> {
    await this.participation(caller, conversationId);
    const cutoff = await this.cutoffOf(caller.orgId, conversationId);
    const out = await this.repo.messages.listMessages(caller.orgId, conversationId, page, firstLiveIdPrefix(cutoff) ?? undefined);
    return { items: out.items.map(messageView), nextCursor: out.nextCursor };
  }

  /**
   * A read receipt: everything up to `upToMessageId` is read. It never moves backwards (an older
   * message answers the current state and writes nothing), and the unread count drops by exactly
   * the others' messages it newly covers.
   */
  async markRead(caller: Caller, ctx: WriteContext, conversationId: string, upToMessageId: string): Promise<ReadReceipt> {
    let me = await this.participation(caller, conversationId);
    const cutoff = await this.cutoffOf(caller.orgId, conversationId);
    const message = await this.repo.messages.getMessage(caller.orgId, conversationId, upToMessageId);
    // An expired message is gone, even while its item waits for TTL.
    if (!message || !isLive(message.id, cutoff)) {
      throw new ValidationError('No such message in this conversation', [{ path: 'body.upToMessageId', message: 'no such message in this conversation' }]);
    }
    for (let attempt = 1; attempt <= RECEIPT_ATTEMPTS; attempt++) {
      if (me.lastReadMessageId && upToMessageId <= me.lastReadMessageId) return receiptView(me, await this.unreadOf(caller.orgId, me, cutoff));
      let moved: boolean;
      if (me.lastReadMessageId && isLive(me.lastReadMessageId, cutoff)) {
        // Everything it newly covers is live (after a live message): count and subtract.
        const read = await this.repo.messages.countFromOthers(caller.orgId, conversationId, caller.userId, me.lastReadMessageId, upToMessageId);
        moved = await this.repo.conversations.markRead(ctx, conversationId, caller.userId, me.lastReadMessageId, upToMessageId, read);
      } else {
        // The counter still counts expired messages it covers: set it from the live ones after `upTo`.
        const unread = await this.repo.messages.countMessages(caller.orgId, conversationId, { after: upToMessageId });
        moved = await this.repo.conversations.markReadRecounted(ctx, conversationId, me, upToMessageId, unread);
      }
      if (moved) {
        const after = (await this.repo.conversations.getParticipant(caller.orgId, conversationId, caller.userId))!;
        return receiptView(after, after.unreadCount);
      }
      await pause(attempt);
      me = await this.participation(caller, conversationId);
    }
    throw new ConflictError('The read state is changing; try again');
  }

  // ---- attachments -------------------------------------------------------------------------

  async createAttachment(caller: Caller, ctx: WriteContext, body: CreateAttachmentBody, idem?: IdempotencyRequest): Promise<AttachmentUpload> {
    const earlier = await this.repo.replay(ctx, idem);
    if (earlier) return earlier.response as AttachmentUpload;
    const id = ulid(Date.parse(ctx.now));
    const key = AttachmentObjectKeys.pending(caller.orgId, id);
    const uploadUrl = await this.store.uploadUrl({ key, contentType: body.contentType, size: body.size, expiresInSeconds: UPLOAD_URL_SECONDS });
    const record: AttachmentRecord = {
      id,
      orgId: caller.orgId,
      uploadedBy: caller.userId,
      fileName: body.fileName,
      contentType: body.contentType,
      size: body.size,
      objectKey: key,
      conversationIds: [],
      latestMessageIds: {},
      createdAt: ctx.now,
    };
    const response: AttachmentUpload = { attachmentId: id, uploadUrl, expiresAt: plusSeconds(ctx.now, UPLOAD_URL_SECONDS) };
    return (await this.repo.attachments.createAttachment(ctx, record, idem, response)) as AttachmentUpload;
  }

  /**
   * A short-lived download URL, for the uploader and for participants of a conversation holding the
   * file (anyone else: 404). Handing it out is the download, as far as the audit trail is concerned.
   */
  async getAttachment(caller: Caller, ctx: WriteContext, attachmentId: string): Promise<AttachmentDownload> {
    const attachment = await this.repo.attachments.getAttachment(caller.orgId, attachmentId);
    if (!attachment) throw new NotFoundError('Attachment not found');
    // Gone once every message naming it is (docs/retention.md), also for its uploader.
    const org = await this.settings.messageRetention(caller.orgId);
    const uses = await this.usesOf(caller.orgId, attachment);
    const now = Date.parse(ctx.now);
    if (!attachmentLive(uses, org, now)) throw new NotFoundError('Attachment not found');
    let patientId: string | undefined;
    if (attachment.uploadedBy !== caller.userId) {
      const liveIn = new Set(uses.filter((u) => attachmentLive([u], org, now)).map((u) => u.conversationId));
      const via = await this.repo.conversations.conversationsWithParticipant(caller.orgId, caller.userId, [...liveIn]);
      let allowed: ParticipantRecord | undefined;
      for (const p of via) {
        if (!p.patientId || (await this.policy.canSeePatient(caller, p.patientId))) {
          allowed = p;
          break;
        }
      }
      if (!allowed) throw new NotFoundError('Attachment not found');
      patientId = allowed.patientId;
    }
    const downloadUrl = await this.store.downloadUrl({
      key: attachment.objectKey,
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      expiresInSeconds: DOWNLOAD_URL_SECONDS,
    });
    await recordAccess(this.db, ctx, { action: 'download', entityType: 'Attachment', entityId: attachment.id, ...(patientId ? { patientId } : {}) });
    return {
      attachmentId: attachment.id,
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      size: attachment.size,
      downloadUrl,
      expiresAt: plusSeconds(ctx.now, DOWNLOAD_URL_SECONDS),
    };
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * A retention change that committed while this send was in flight: its re-timing (the retention
   * consumer) may have walked the conversation before this message existed, so the send re-times
   * the conversation itself. Either the consumer reads the conversation after the send committed,
   * or the send reads the settings after the change committed (both reads are consistent).
   */
  private async retimeIfSettingsMoved(ctx: WriteContext, conversationId: string, timedWith: number): Promise<void> {
    if ((await this.settings.messageRetention(ctx.orgId)).version === timedWith) return;
    await new MessageRetiming(this.db).retimeConversation(ctx, conversationId);
  }

  /** The instant up to which the conversation's messages are gone (null: none is). */
  private async cutoffOf(orgId: string, conversationId: string): Promise<number | null> {
    const [org, conversation] = await Promise.all([this.settings.messageRetention(orgId), this.repo.conversations.getConversation(orgId, conversationId)]);
    return cutoffMs(org, conversation ?? {}, this.clock.now().getTime());
  }

  /**
   * A participant's unread messages. The counter on their item is exact while their read state is
   * live; when it lies before the cutoff the counter still counts messages that have expired, so
   * the live ones are counted instead (all of them are unread and someone else's: a participant's
   * own message moves their read state). docs/retention.md, "Unread counts".
   */
  private async unreadOf(orgId: string, p: ParticipantRecord, cutoff: number | null): Promise<number> {
    if (cutoff === null || p.unreadCount === 0 || (p.lastReadMessageId && isLive(p.lastReadMessageId, cutoff))) return p.unreadCount;
    return this.repo.messages.countMessages(orgId, p.conversationId, { from: firstLiveIdPrefix(cutoff)! });
  }

  private usesOf(orgId: string, attachment: AttachmentRecord, except?: string) {
    return this.repo.attachmentUses(orgId, attachment, except);
  }

  /** The caller's participant item, or 404: non-participants cannot tell the conversation exists. */
  private async participation(caller: Caller, conversationId: string): Promise<ParticipantRecord> {
    const me = await this.repo.conversations.getParticipant(caller.orgId, conversationId, caller.userId);
    if (!me) throw notFound();
    if (me.patientId && !(await this.policy.canSeePatient(caller, me.patientId))) throw notFound();
    return me;
  }

  /** The caller may see the patient and it exists (staff pass the policy on their claims alone). */
  private async assertPatientInReach(caller: Caller, patientId: string): Promise<void> {
    await this.policy.assertCanSeePatient(caller, patientId);
    if (!(await this.people.patientExists(caller.orgId, patientId))) throw new NotFoundError('Patient not found');
  }

  /**
   * Users who may join: of the caller's org (keys are org-scoped, so a user of another org is
   * simply not found), not compliance, and, for a conversation about a patient, allowed to see that
   * patient, asked of the access policy as the user themself (a Caller from their profile).
   * Any failure is a 400 naming the field: the request is wrong, the conversation is not missing.
   * "Unknown" and "of another org" read alike, so other orgs' user ids cannot be probed.
   */
  private async eligibleUsers(orgId: string, userIds: readonly string[], patientId: string | undefined, pathOf: (i: number) => string): Promise<User[]> {
    const users = await Promise.all(userIds.map((id) => this.people.getUser(orgId, id)));
    const details: ErrorDetail[] = [];
    for (const [i, user] of users.entries()) {
      if (!user) details.push({ path: pathOf(i), message: 'no such user in your organisation' });
      else if (user.role === 'compliance') details.push({ path: pathOf(i), message: 'compliance users cannot take part in conversations' });
      else if (patientId && !(await this.policy.canSeePatient(callerFromProfile(user), patientId))) {
        details.push({ path: pathOf(i), message: 'this user may not see the patient' });
      }
    }
    if (details.length) throw new ValidationError('Some participants cannot take part in this conversation', details);
    return users as User[];
  }

  /** The caller's own uploaded attachments, with where each will be kept; anything else is a 400. */
  private async ownUploadedAttachments(
    caller: Caller,
    ids: readonly string[],
    conversationId: string,
  ): Promise<Array<AttachmentRecord & { keptKey: string; elsewhere: AttachmentUse[] }>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const found = new Map((await this.repo.attachments.getAttachments(caller.orgId, unique)).map((a) => [a.id, a]));
    const org = await this.settings.messageRetention(caller.orgId);
    const out: Array<AttachmentRecord & { keptKey: string; elsewhere: AttachmentUse[] }> = [];
    for (const id of unique) {
      const a = found.get(id);
      // Someone else's attachment reads exactly like a missing one, and so does an expired one.
      if (!a || a.uploadedBy !== caller.userId) throw attachmentError(ids.indexOf(id));
      if (!attachmentLive(await this.usesOf(caller.orgId, a), org, this.clock.now().getTime())) throw attachmentError(ids.indexOf(id));
      // Where else it is: its TTL is the latest of all its messages' (the send adds this one).
      const elsewhere = await this.usesOf(caller.orgId, a, conversationId);
      const keptKey = AttachmentObjectKeys.kept(caller.orgId, a.id);
      if (a.objectKey !== keptKey) {
        const stored = await this.store.head(a.objectKey);
        if (!stored || stored.size !== a.size) {
          throw new ValidationError('Upload the file before sending it', [{ path: `body.attachmentIds.${ids.indexOf(id)}`, message: 'the file has not been uploaded' }]);
        }
      }
      out.push({ ...a, keptKey, elsewhere });
    }
    return out;
  }
}

/**
 * A ULID after `after`: from `nowMs`, or from just after `after`'s time when the clock is behind
 * it (another instance's clock, or several sends in one millisecond). Ids order the messages.
 */
export function nextMessageId(nowMs: number, after: string | null): string {
  if (!after) return ulid(nowMs);
  const afterMs = decodeTime(after);
  let id = ulid(Math.max(nowMs, afterMs));
  if (id <= after) id = ulid(afterMs + 1);
  return id;
}

const notFound = () => new NotFoundError('Conversation not found');

const attachmentError = (index: number) =>
  new ValidationError('Attach only files you uploaded', [{ path: `body.attachmentIds.${Math.max(index, 0)}`, message: 'no attachment of yours with this id' }]);

/**
 * Between attempts of a write that lost a race on the conversation (META): full-jitter exponential
 * backoff, a random wait of up to 10, 20, 40 ... ms, capped at 250 ms. The linear wait used before
 * (up to 10 ms per attempt) kept parallel senders bunched. Same test as SEND_ATTEMPTS: the slowest
 * of 200 sends needed 10 rounds with it and 9 with this; 11 sends needed 9 or more with it, 2 with this.
 */
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** attempt)));

const plusSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

const ROLE_ORDER: readonly Role[] = ['admin', 'coordinator', 'clinician', 'aide', 'family', 'patient', 'compliance'];
const primaryRole = (roles: readonly Role[]): Role => ROLE_ORDER.find((r) => roles.includes(r)) ?? roles[0]!;

function callerFromProfile(user: User): Caller {
  return {
    userId: user.userId,
    orgId: user.orgId,
    roles: [user.role],
    email: user.email,
    displayName: user.displayName,
    ...(user.patientId ? { patientId: user.patientId } : {}),
  };
}

const isStaff = (caller: Caller) => caller.roles.includes('admin') || caller.roles.includes('coordinator');

/** The last message's id while it is live (if it has expired, every message has). */
const liveLast = (id: string | null, cutoff: number | null) => (id && isLive(id, cutoff) ? id : null);

function conversationView(
  c: ConversationRecord,
  participants: readonly ParticipantRecord[],
  callerId: string,
  seen: { cutoff: number | null; unread: number },
): Conversation {
  const byUser = new Map(participants.map((p) => [p.userId, p]));
  return {
    id: c.id,
    orgId: c.orgId,
    version: c.version,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    createdBy: c.createdBy,
    ...(c.subject ? { subject: c.subject } : {}),
    ...(c.patientId ? { patientId: c.patientId } : {}),
    participantIds: c.participantIds,
    lastMessageId: liveLast(c.lastMessageId, seen.cutoff),
    lastActivityAt: c.lastActivityAt,
    messageCount: c.messageCount,
    unreadCount: seen.unread,
    readState: c.participantIds.map((userId) => ({
      userId,
      lastReadMessageId: byUser.get(userId)?.lastReadMessageId ?? null,
      readAt: byUser.get(userId)?.readAt ?? null,
    })),
    legalHold: c.legalHold ?? null,
  };
}

const summaryView = (p: ParticipantRecord, cutoff: number | null, unread: number): ConversationSummary => ({
  id: p.conversationId,
  ...(p.subject ? { subject: p.subject } : {}),
  ...(p.patientId ? { patientId: p.patientId } : {}),
  participantIds: p.participantIds,
  lastMessageId: liveLast(p.lastMessageId, cutoff),
  lastActivityAt: p.lastActivityAt,
  unreadCount: unread,
  lastReadMessageId: p.lastReadMessageId,
});

const messageView = (m: MessageRecord): Message => ({
  id: m.id,
  conversationId: m.conversationId,
  senderId: m.senderId,
  body: m.body,
  attachments: m.attachments,
  sentAt: m.sentAt,
});

const receiptView = (p: ParticipantRecord, unread: number): ReadReceipt => ({
  conversationId: p.conversationId,
  userId: p.userId,
  lastReadMessageId: p.lastReadMessageId,
  readAt: p.readAt,
  unreadCount: unread,
});
