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
  LegalHoldBody,
  LegalHoldState,
  ListMessagesQuery,
  Message,
  ReadReceipt,
  ReadReceiptBody,
  SendMessageBody,
} from '../../schemas/messaging.js';
import { CLINICAL_ROLES } from '../../schemas/roles.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Everyone but compliance may message (API.md): compliance reads the audit trail, not care talk. */
const MESSAGING = CLINICAL_ROLES;

/** Secure messaging (API.md, "Messaging"): served by the `messaging` function. */
export const MESSAGING_ROUTES = defineRoutes('messaging', {
  'POST /conversations': {
    operation: 'createConversation', roles: MESSAGING, summary: 'Start a conversation (the caller joins)',
    body: CreateConversationBody, response: Conversation, status: 201, idempotent: true,
  },
  'GET /me/conversations': {
    operation: 'listMyConversations', roles: 'any', summary: "The caller's conversations, latest activity first, with unread counts",
    query: ListQuery, response: ListOf(ConversationSummary),
  },
  'GET /conversations/{conversationId}': {
    operation: 'getConversation', roles: MESSAGING, summary: 'One conversation with its read state and legal hold (participants, and staff of the org)',
    params: ConversationParams, response: Conversation,
  },
  'PUT /conversations/{conversationId}/legal-hold': {
    operation: 'setConversationLegalHold', roles: ['admin'],
    summary: 'Place or lift a legal hold: while held nothing in the conversation expires (audited)',
    params: ConversationParams, body: LegalHoldBody, response: LegalHoldState,
  },
  'POST /conversations/{conversationId}/participants': {
    operation: 'addConversationParticipants', roles: MESSAGING,
    summary: 'Add a participant (participants only)', params: ConversationParams, body: AddParticipantBody, response: Conversation, status: 201, idempotent: true,
  },
  'POST /conversations/{conversationId}/messages': {
    operation: 'sendMessage', roles: MESSAGING, summary: 'Send a message',
    params: ConversationParams, body: SendMessageBody, response: Message, status: 201, idempotent: true,
  },
  'GET /conversations/{conversationId}/messages': {
    operation: 'listMessages', roles: MESSAGING, summary: 'Messages, newest first',
    params: ConversationParams, query: ListMessagesQuery, response: ListOf(Message),
  },
  'POST /conversations/{conversationId}/read': {
    operation: 'markConversationRead', roles: MESSAGING, summary: 'Read receipt up to a message',
    params: ConversationParams, body: ReadReceiptBody, response: ReadReceipt,
  },
  'POST /attachments': {
    operation: 'createAttachment', roles: MESSAGING, summary: 'Announce a file; answers a signed upload URL',
    body: CreateAttachmentBody, response: AttachmentUpload, status: 201, idempotent: true,
  },
  'GET /attachments/{attachmentId}': {
    operation: 'getAttachment', roles: MESSAGING, summary: 'A short-lived download URL (audited)',
    params: AttachmentParams, response: AttachmentDownload,
  },
});
