import * as z from 'zod/mini';
import { Id, IsoDateTime, ListQuery, Text } from './common.js';

/**
 * Secure messaging (API.md, "Messaging"): conversations between users of one org, optionally about
 * a patient, their messages, read receipts and attachments.
 */

/** A conversation holds at most this many participants (the send transaction updates each one). */
export const MAX_PARTICIPANTS = 20;
/** Attachments one message may reference (each is one more item of the send transaction). */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;
export const MAX_MESSAGE_CHARS = 4000;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/heic', 'text/plain'] as const;
export const AttachmentContentType = z.enum(ATTACHMENT_TYPES);

// ---- Conversations -------------------------------------------------------------------------

export const ConversationParams = z.strictObject({ conversationId: Id });

export const CreateConversationBody = z.strictObject({
  /** The others; the caller joins anyway (listing them too is harmless). */
  participantIds: z
    .array(Id)
    .check(z.minLength(1), z.maxLength(MAX_PARTICIPANTS, `at most ${MAX_PARTICIPANTS} participants, the caller included`)),
  patientId: z.optional(Id),
  subject: z.optional(Text(200)),
});
export type CreateConversationBody = z.infer<typeof CreateConversationBody>;

export const AddParticipantBody = z.strictObject({ userId: Id });
export type AddParticipantBody = z.infer<typeof AddParticipantBody>;

export const ReadState = z.object({
  userId: z.string(),
  lastReadMessageId: z.nullable(z.string()),
  readAt: z.nullable(IsoDateTime),
});
export type ReadState = z.infer<typeof ReadState>;

/** A conversation held for litigation: nothing in it expires while held (docs/retention.md). */
export const LegalHold = z.object({
  reason: z.string(),
  since: IsoDateTime,
  by: z.string().check(z.describe('The admin who placed the hold')),
});
export type LegalHold = z.infer<typeof LegalHold>;

/** `PUT /conversations/{conversationId}/legal-hold`: place (`hold: true`) or lift (`false`) the hold. */
export const LegalHoldBody = z.strictObject({
  hold: z.boolean(),
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
});
export type LegalHoldBody = z.infer<typeof LegalHoldBody>;

/** The conversation's hold after the change (null: not held). */
export const LegalHoldState = z.object({
  conversationId: z.string(),
  legalHold: z.nullable(LegalHold),
});
export type LegalHoldState = z.infer<typeof LegalHoldState>;

export const Conversation = z.object({
  id: z.string(),
  orgId: z.string(),
  version: z.number().check(z.int(), z.gte(1)),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  createdBy: z.string(),
  subject: z.optional(z.string()),
  patientId: z.optional(z.string()),
  participantIds: z.array(z.string()),
  lastMessageId: z.nullable(z.string()),
  lastActivityAt: IsoDateTime,
  messageCount: z.number().check(z.int(), z.gte(0)),
  /** The caller's unread messages. */
  unreadCount: z.number().check(z.int(), z.gte(0)),
  readState: z.array(ReadState),
  legalHold: z.nullable(LegalHold).check(z.describe('Set while the conversation is on legal hold (nothing in it expires)')),
});
export type Conversation = z.infer<typeof Conversation>;

/** One line of `GET /me/conversations`: everything comes from the caller's participant item. */
export const ConversationSummary = z.object({
  id: z.string(),
  subject: z.optional(z.string()),
  patientId: z.optional(z.string()),
  participantIds: z.array(z.string()),
  lastMessageId: z.nullable(z.string()),
  lastActivityAt: IsoDateTime,
  unreadCount: z.number().check(z.int(), z.gte(0)),
  lastReadMessageId: z.nullable(z.string()),
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

// ---- Messages ------------------------------------------------------------------------------

export const SendMessageBody = z.strictObject({
  body: Text(MAX_MESSAGE_CHARS),
  attachmentIds: z.optional(z.array(Id).check(z.maxLength(MAX_ATTACHMENTS_PER_MESSAGE))),
});
export type SendMessageBody = z.infer<typeof SendMessageBody>;

export const AttachmentRef = z.object({
  attachmentId: z.string(),
  fileName: z.string(),
  contentType: AttachmentContentType,
  size: z.number().check(z.int()),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

export const Message = z.object({
  id: z.string(),
  conversationId: z.string(),
  senderId: z.string(),
  body: z.string(),
  attachments: z.array(AttachmentRef),
  sentAt: IsoDateTime,
});
export type Message = z.infer<typeof Message>;

export const ListMessagesQuery = ListQuery;

export const ReadReceiptBody = z.strictObject({ upToMessageId: Id });
export type ReadReceiptBody = z.infer<typeof ReadReceiptBody>;

export const ReadReceipt = z.object({
  conversationId: z.string(),
  userId: z.string(),
  lastReadMessageId: z.nullable(z.string()),
  readAt: z.nullable(IsoDateTime),
  unreadCount: z.number().check(z.int(), z.gte(0)),
});
export type ReadReceipt = z.infer<typeof ReadReceipt>;

// ---- Attachments ---------------------------------------------------------------------------

export const AttachmentParams = z.strictObject({ attachmentId: Id });

export const CreateAttachmentBody = z.strictObject({
  /** Shown to people and used in the download's Content-Disposition; never part of a storage key. */
  fileName: Text(255).check(z.regex(/^[^/\\]+$/, 'must be a file name, not a path')),
  contentType: AttachmentContentType,
  size: z.number().check(z.int(), z.gte(1), z.lte(MAX_ATTACHMENT_BYTES, 'at most 10 MB (10485760 bytes)')),
});
export type CreateAttachmentBody = z.infer<typeof CreateAttachmentBody>;

export const AttachmentUpload = z.object({
  attachmentId: z.string(),
  uploadUrl: z.string(),
  expiresAt: IsoDateTime,
});
export type AttachmentUpload = z.infer<typeof AttachmentUpload>;

export const AttachmentDownload = z.object({
  attachmentId: z.string(),
  fileName: z.string(),
  contentType: AttachmentContentType,
  size: z.number().check(z.int()),
  downloadUrl: z.string(),
  expiresAt: IsoDateTime,
});
export type AttachmentDownload = z.infer<typeof AttachmentDownload>;
