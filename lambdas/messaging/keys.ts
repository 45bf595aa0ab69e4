/**
 * Key formats of the messaging entities (docs/data-model.md, "Messaging"). Every key starts with
 * the org.
 */
type Key = { PK: string; SK: string };

const convPk = (orgId: string, conversationId: string) => `ORG#${orgId}#CONV#${conversationId}`;
const myConversations = (orgId: string, userId: string) => `ORG#${orgId}#USER#${userId}#CONVS`;

export const ConversationKeys = {
  partition: convPk,
  meta: (orgId: string, conversationId: string): Key => ({ PK: convPk(orgId, conversationId), SK: 'META' }),
  /**
   * GSI2 on the META item: every conversation of the org, for the re-timing a retention change
   * starts (docs/retention.md). Conversations made before it existed lack it (docs/retention.md).
   */
  ofOrg: (orgId: string, conversationId: string) => ({ GSI2PK: `ORG#${orgId}#CONVS`, GSI2SK: conversationId }),
  orgPartition: (orgId: string) => `ORG#${orgId}#CONVS`,
};

export const ParticipantKeys = {
  key: (orgId: string, conversationId: string, userId: string): Key => ({ PK: convPk(orgId, conversationId), SK: `PART#${userId}` }),
  prefix: 'PART#',
  /**
   * GSI1: the user's conversations by latest activity. The sort key changes on every message, so
   * "newest first" is a reverse Query of one partition.
   */
  byActivity: (orgId: string, userId: string, lastActivityAt: string, conversationId: string) => ({
    GSI1PK: myConversations(orgId, userId),
    GSI1SK: `${lastActivityAt}#${conversationId}`,
  }),
  activityPartition: myConversations,
};

export const MessageKeys = {
  /** Message ids are ULIDs: the sort key orders messages by time. */
  key: (orgId: string, conversationId: string, messageId: string): Key => ({ PK: convPk(orgId, conversationId), SK: `MSG#${messageId}` }),
  prefix: 'MSG#',
  sk: (messageId: string) => `MSG#${messageId}`,
  /** Above every message's sort key (ULIDs are Crockford base32: digits and capitals). */
  end: 'MSG#~',
};

export const AttachmentKeys = {
  key: (orgId: string, attachmentId: string): Key => ({ PK: `ORG#${orgId}#ATT#${attachmentId}`, SK: 'META' }),
};

/**
 * Object keys in the attachments bucket. Uploads land under `pending/` (a lifecycle rule expires
 * them after a day); the first message that references a file copies it to `files/`, where it
 * stays. The org is part of the key so a bucket listing is tenant-scoped too.
 */
const PENDING_PREFIX = 'pending/';
const KEPT_PREFIX = 'files/';
/** An org or attachment id as a key segment: no `/`, no `..`, nothing a path could escape with. */
const OBJECT_KEY_SEGMENT = '[A-Za-z0-9_-]{1,64}';

export const AttachmentObjectKeys = {
  pending: (orgId: string, attachmentId: string) => `${PENDING_PREFIX}${orgId}/${attachmentId}`,
  kept: (orgId: string, attachmentId: string) => `${KEPT_PREFIX}${orgId}/${attachmentId}`,
  /**
   * The keys the two functions above make, and nothing else. The local file store maps keys to
   * paths, so it refuses every other key before it touches the disk.
   */
  pattern: new RegExp(`^(${PENDING_PREFIX}|${KEPT_PREFIX})${OBJECT_KEY_SEGMENT}/${OBJECT_KEY_SEGMENT}$`),
};
