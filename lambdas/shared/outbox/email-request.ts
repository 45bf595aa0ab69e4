import { entity } from '../data/entity.js';
import type { Item } from '../data/db.js';
import type { WriteContext } from '../data/write-context.js';
import type { EventRule } from '../events/event-rule.js';

/**
 * A direct email (not an inbox notification): an invitation with its code. The domain that needs it
 * writes an `EmailRequest` item in the same transaction as the change it belongs to; its INSERT
 * becomes the `EmailRequested` event (ids only, never the text: events carry no values), and the
 * delivery function, the one place that sends email, re-reads it, claims its at-most-once record,
 * sends it and deletes it (docs/delivery.md, "Direct emails"). So an API function carries no SES
 * client, and a failed send is retried by Lambda and ends in the delivery function's DLQ like every
 * other message. Lives below the domains and delivery, which both use it.
 *
 * Keys (only here): the request `ORG#o#EMAIL#<requestId> / EMAIL`; its delivery record
 * `ORG#o#EMAIL#<requestId> / DLV#email`. Both expire (TTL `expiresAt`).
 */
type Key = { PK: string; SK: string };
const partition = (orgId: string, requestId: string) => `ORG#${orgId}#EMAIL#${requestId}`;

export const EmailRequestKeys = {
  key: (orgId: string, requestId: string): Key => ({ PK: partition(orgId, requestId), SK: 'EMAIL' }),
  record: (orgId: string, requestId: string): Key => ({ PK: partition(orgId, requestId), SK: 'DLV#email' }),
};

export const EmailRequestEntity = entity('EmailRequest', EmailRequestKeys);

export const EMAIL_REQUESTED = 'EmailRequested';

/**
 * The events function's rule: the INSERT only, with no patient and no recipient, so no realtime
 * subscriber receives it; the delivery function's bus rule does.
 */
export const EMAIL_REQUEST_EVENTS: Readonly<Record<string, EventRule>> = {
  [EmailRequestEntity.entityType]: { INSERT: EMAIL_REQUESTED, recipientsOnly: true },
};

export interface EmailRequest {
  /** Unique per email; the invitation's id for an invitation. */
  requestId: string;
  to: string;
  subject: string;
  text: string;
  /** What it is for (logs and metrics): `invitation`. */
  purpose: string;
  /** Not sent after this instant (ISO 8601); the item expires then too. */
  notAfter: string;
}

/** The new request item, stamped by the actor whose change it belongs to. */
export function emailRequestItem(ctx: WriteContext, request: EmailRequest): Item {
  return EmailRequestEntity.newItem(
    EmailRequestEntity.key(ctx.orgId, request.requestId),
    { ...request, id: request.requestId, expiresAt: Math.floor(Date.parse(request.notAfter) / 1000) },
    ctx,
  );
}

export function toEmailRequest(item: Item): EmailRequest {
  return {
    requestId: String(item.requestId),
    to: String(item.to),
    subject: String(item.subject),
    text: String(item.text),
    purpose: String(item.purpose),
    notAfter: String(item.notAfter),
  };
}
