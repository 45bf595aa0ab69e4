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
  Message,
  ReadReceipt,
  SendMessageBody,
} from '../../schemas/messaging.js';
import { MAX_PARTICIPANTS } from '../../schemas/messaging.js';
import type { Role } from '../../schemas/roles.js';
import type { User } from '../../schemas/identity.js';
import type { People } from '../shared/people/people.js';
import type { Caller } from '../shared/auth/caller.js';
import type { AccessPolicy } from '../shared/auth/policy.js';
import { recordAccess } from '../shared/data/access-record.js';
import type { Db, Page, PageRequest } from '../shared/data/db.js';
import type { IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import type { AttachmentStore } from './attachment-store.js';
import { AttachmentObjectKeys } from './keys.js';
import type { AttachmentRecord, ConversationRecord, MessageRecord, MessagingRepository, ParticipantRecord } from './repository.js';


/** An upload URL is good for 15 minutes; a download URL for 5 (it is fetched at once). */
export const UPLOAD_URL_SECONDS = 15 * 60;
export const DOWNLOAD_URL_SECONDS = 5 * 60;
/** Rounds of "read the conversation, send" when parallel sends keep overtaking each other. */
const SEND_ATTEMPTS = 12;
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
    const response = conversationView(conversation, [], caller.userId);
    return (await this.repo.conversations.createConversation(ctx, conversation, participants, idem, response)) as Conversation;
  }

  listMyConversations(caller: Caller, page: PageRequest): Promise<Page<ConversationSummary>> {
    return this.repo.conversations.listMyConversations(caller.orgId, caller.userId, page).then((out) => ({
      items: out.items.map(summaryView),
      nextCursor: out.nextCursor,
    }));
  }

  async getConversation(caller: Caller, conversationId: string): Promise<Conversation> {
    await this.participation(caller, conversationId);
    const [conversation, participants] = await Promise.all([
      this.repo.conversations.getConversation(caller.orgId, conversationId),
      this.repo.conversations.listParticipants(caller.orgId, conversationId),
    ]);
    if (!conversation) throw notFound();
    return conversationView(conversation, participants, caller.userId);
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
      const response = conversationView(after, [...participants, joined], caller.userId);
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
    const attachments = await this.ownUploadedAttachments(caller, body.attachmentIds ?? []);
    // The file moves out of `pending/` (expired after a day) before the message names it.
    for (const a of attachments) if (a.objectKey !== a.keptKey) await this.store.copy(a.objectKey, a.keptKey);
    const refs: AttachmentRef[] = attachments.map((a) => ({ attachmentId: a.id, fileName: a.fileName, contentType: a.contentType, size: a.size }));

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
      const out = await this.repo.messages.send(ctx, conversation, message, attachments, idem, messageView(message));
      if (out.ok) return out.response as Message;
      if (out.reason === 'attachment_refused') throw attachmentError(0);
      await pause(attempt);
    }
    throw new ConflictError('The conversation is busy; try again');
  }

  async listMessages(caller: Caller, conversationId: string, page: PageRequest): Promise<Page<Message>> {
    await this.participation(caller, conversationId);
    const out = await this.repo.messages.listMessages(caller.orgId, conversationId, page);
    return { items: out.items.map(messageView), nextCursor: out.nextCursor };
  }

  /**
   * A read receipt: everything up to `upToMessageId` is read. It never moves backwards (an older
   * message answers the current state and writes nothing), and the unread count drops by exactly
   * the others' messages it newly covers.
   */
  async markRead(caller: Caller, ctx: WriteContext, conversationId: string, upToMessageId: string): Promise<ReadReceipt> {
    let me = await this.participation(caller, conversationId);
    const message = await this.repo.messages.getMessage(caller.orgId, conversationId, upToMessageId);
    if (!message) {
      throw new ValidationError('No such message in this conversation', [{ path: 'body.upToMessageId', message: 'no such message in this conversation' }]);
    }
    for (let attempt = 1; attempt <= RECEIPT_ATTEMPTS; attempt++) {
      if (me.lastReadMessageId && upToMessageId <= me.lastReadMessageId) return receiptView(me);
      const read = await this.repo.messages.countFromOthers(caller.orgId, conversationId, caller.userId, me.lastReadMessageId, upToMessageId);
      if (await this.repo.conversations.markRead(ctx, conversationId, caller.userId, me.lastReadMessageId, upToMessageId, read)) {
        return receiptView((await this.repo.conversations.getParticipant(caller.orgId, conversationId, caller.userId))!);
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
    let patientId: string | undefined;
    if (attachment.uploadedBy !== caller.userId) {
      const via = await this.repo.conversations.conversationsWithParticipant(caller.orgId, caller.userId, attachment.conversationIds);
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
  private async ownUploadedAttachments(caller: Caller, ids: readonly string[]): Promise<Array<AttachmentRecord & { keptKey: string }>> {
    const unique = [...new Set(ids)];
    const found = new Map((await this.repo.attachments.getAttachments(caller.orgId, unique)).map((a) => [a.id, a]));
    const out: Array<AttachmentRecord & { keptKey: string }> = [];
    for (const id of unique) {
      const a = found.get(id);
      // Someone else's attachment reads exactly like a missing one.
      if (!a || a.uploadedBy !== caller.userId) throw attachmentError(ids.indexOf(id));
      const keptKey = AttachmentObjectKeys.kept(caller.orgId, a.id);
      if (a.objectKey !== keptKey) {
        const stored = await this.store.head(a.objectKey);
        if (!stored || stored.size !== a.size) {
          throw new ValidationError('Upload the file before sending it', [{ path: `body.attachmentIds.${ids.indexOf(id)}`, message: 'the file has not been uploaded' }]);
        }
      }
      out.push({ ...a, keptKey });
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

const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));

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

function conversationView(c: ConversationRecord, participants: readonly ParticipantRecord[], callerId: string): Conversation {
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
    lastMessageId: c.lastMessageId,
    lastActivityAt: c.lastActivityAt,
    messageCount: c.messageCount,
    unreadCount: byUser.get(callerId)?.unreadCount ?? 0,
    readState: c.participantIds.map((userId) => ({
      userId,
      lastReadMessageId: byUser.get(userId)?.lastReadMessageId ?? null,
      readAt: byUser.get(userId)?.readAt ?? null,
    })),
  };
}

const summaryView = (p: ParticipantRecord): ConversationSummary => ({
  id: p.conversationId,
  ...(p.subject ? { subject: p.subject } : {}),
  ...(p.patientId ? { patientId: p.patientId } : {}),
  participantIds: p.participantIds,
  lastMessageId: p.lastMessageId,
  lastActivityAt: p.lastActivityAt,
  unreadCount: p.unreadCount,
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

const receiptView = (p: ParticipantRecord): ReadReceipt => ({
  conversationId: p.conversationId,
  userId: p.userId,
  lastReadMessageId: p.lastReadMessageId,
  readAt: p.readAt,
  unreadCount: p.unreadCount,
});
