/**
 * The messaging items: conversations, their participants, messages and attachments (keys.ts).
 * Only the messaging repositories import this module; the service sees the record types.
 */
import type { AttachmentRef, LegalHold } from '../../schemas/messaging.js';
import type { Role } from '../../schemas/roles.js';
import type { Item } from '../shared/data/db.js';
import { entity } from '../shared/data/entity.js';
import { AttachmentKeys, ConversationKeys, MessageKeys, ParticipantKeys } from './keys.js';

/** The conversation's META item. */
export interface ConversationRecord {
  id: string;
  orgId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  subject?: string;
  patientId?: string;
  participantIds: string[];
  lastMessageId: string | null;
  lastActivityAt: string;
  messageCount: number;
  /** Set while on legal hold (docs/retention.md). */
  legalHold?: LegalHold | null;
  /** Messages sent at or before it are gone (fixed when a hold is placed). */
  expiredThrough?: string | null;
}

/** One participant's item: their place in "my conversations", their unread count and read receipt. */
export interface ParticipantRecord {
  conversationId: string;
  userId: string;
  role: Role;
  version: number;
  subject?: string;
  patientId?: string;
  participantIds: string[];
  lastMessageId: string | null;
  lastActivityAt: string;
  unreadCount: number;
  lastReadMessageId: string | null;
  readAt: string | null;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  attachments: AttachmentRef[];
  sentAt: string;
  recipientIds: string[];
  patientId?: string;
}

export interface AttachmentRecord {
  id: string;
  orgId: string;
  uploadedBy: string;
  fileName: string;
  contentType: AttachmentRef['contentType'];
  size: number;
  /** Where the file is now: `pending/...` until a message references it, then `files/...`. */
  objectKey: string;
  /** Conversations whose messages reference it (their participants may download it). */
  conversationIds: string[];
  /** Per conversation, the newest message naming it (null: linked before retention was kept). */
  latestMessageIds: Record<string, string | null>;
  /** DynamoDB TTL, epoch seconds (docs/retention.md); absent while it does not expire. */
  expiresAt?: number;
  createdAt: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
/** `subject` and `patientId` are optional on conversations, participants and messages alike. */
const optional = (item: Item, name: 'subject' | 'patientId') => (str(item[name]) ? { [name]: String(item[name]) } : {});

export const ConversationEntity = entity('Conversation', ConversationKeys, (item): ConversationRecord => ({
  id: String(item.id),
  orgId: String(item.orgId),
  version: Number(item.version),
  createdAt: String(item.createdAt),
  updatedAt: String(item.updatedAt),
  createdBy: String(item.createdBy),
  ...optional(item, 'subject'),
  ...optional(item, 'patientId'),
  participantIds: strings(item.participantIds),
  lastMessageId: str(item.lastMessageId),
  lastActivityAt: String(item.lastActivityAt),
  messageCount: Number(item.messageCount ?? 0),
  legalHold: item.legalHold && typeof item.legalHold === 'object' ? (item.legalHold as LegalHold) : null,
  expiredThrough: str(item.messagesExpiredThrough),
}));

export const ParticipantEntity = entity('ConversationParticipant', ParticipantKeys, (item): ParticipantRecord => ({
  conversationId: String(item.conversationId),
  userId: String(item.userId),
  role: item.role as Role,
  version: Number(item.version),
  ...optional(item, 'subject'),
  ...optional(item, 'patientId'),
  participantIds: strings(item.participantIds),
  lastMessageId: str(item.lastMessageId),
  lastActivityAt: String(item.lastActivityAt),
  unreadCount: Number(item.unreadCount ?? 0),
  lastReadMessageId: str(item.lastReadMessageId),
  readAt: str(item.readAt),
}));

export const MessageEntity = entity('Message', MessageKeys, (item): MessageRecord => ({
  id: String(item.id),
  conversationId: String(item.conversationId),
  senderId: String(item.senderId),
  body: String(item.body),
  attachments: Array.isArray(item.attachments) ? (item.attachments as AttachmentRef[]) : [],
  sentAt: String(item.sentAt),
  recipientIds: strings(item.recipientIds),
  ...optional(item, 'patientId'),
}));

export const AttachmentEntity = entity('Attachment', AttachmentKeys, (item): AttachmentRecord => ({
  id: String(item.id),
  orgId: String(item.orgId),
  uploadedBy: String(item.uploadedBy),
  fileName: String(item.fileName),
  contentType: item.contentType as AttachmentRecord['contentType'],
  size: Number(item.size),
  objectKey: String(item.objectKey),
  // Stored as a map (conversation id -> true), so a send links one conversation with a SET.
  conversationIds: item.conversationIds && typeof item.conversationIds === 'object' ? Object.keys(item.conversationIds) : [],
  // The map's value is the newest message naming the file there (`true` before retention existed).
  latestMessageIds:
    item.conversationIds && typeof item.conversationIds === 'object'
      ? Object.fromEntries(Object.entries(item.conversationIds as Record<string, unknown>).map(([c, v]) => [c, typeof v === 'string' ? v : null]))
      : {},
  ...(typeof item.expiresAt === 'number' ? { expiresAt: item.expiresAt } : {}),
  createdAt: String(item.createdAt),
}));
