import { ListOf, ListQuery } from '../../schemas/common.js';
import {
  AddParticipantBody,
  AttachmentDownload,
  AttachmentParams,
  AttachmentUpload,
  Conversation,
  ConversationParams,
  ConversationSummary,
  CreateAttachmentBody,
  CreateConversationBody,
  ListMessagesQuery,
  Message,
  ReadReceipt,
  ReadReceiptBody,
  SendMessageBody,
} from '../../schemas/messaging.js';
import { CLINICAL_ROLES } from '../../schemas/roles.js';
import type { RouteDef } from '../shared/http/route-def.js';

/** Everyone but compliance may message (API.md): compliance reads the audit trail, not care talk. */
const MESSAGING = CLINICAL_ROLES;

/** Secure messaging (API.md, "Messaging"): served by the `messaging` function. */
export const MESSAGING_ROUTES: readonly RouteDef[] = [
  {
    method: 'POST', path: '/conversations', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'Start a conversation (the caller joins)',
    body: CreateConversationBody, response: Conversation, status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/me/conversations', fn: 'messaging', auth: true, roles: 'any', summary: "The caller's conversations, latest activity first, with unread counts",
    query: ListQuery, response: ListOf(ConversationSummary),
  },
  {
    method: 'GET', path: '/conversations/{conversationId}', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'One conversation with its read state',
    params: ConversationParams, response: Conversation,
  },
  {
    method: 'POST', path: '/conversations/{conversationId}/participants', fn: 'messaging', auth: true, roles: MESSAGING,
    summary: 'Add a participant (participants only)', params: ConversationParams, body: AddParticipantBody, response: Conversation, status: 201, idempotent: true,
  },
  {
    method: 'POST', path: '/conversations/{conversationId}/messages', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'Send a message',
    params: ConversationParams, body: SendMessageBody, response: Message, status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/conversations/{conversationId}/messages', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'Messages, newest first',
    params: ConversationParams, query: ListMessagesQuery, response: ListOf(Message),
  },
  {
    method: 'POST', path: '/conversations/{conversationId}/read', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'Read receipt up to a message',
    params: ConversationParams, body: ReadReceiptBody, response: ReadReceipt,
  },
  {
    method: 'POST', path: '/attachments', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'Announce a file; answers a signed upload URL',
    body: CreateAttachmentBody, response: AttachmentUpload, status: 201, idempotent: true,
  },
  {
    method: 'GET', path: '/attachments/{attachmentId}', fn: 'messaging', auth: true, roles: MESSAGING, summary: 'A short-lived download URL (audited)',
    params: AttachmentParams, response: AttachmentDownload,
  },
];
