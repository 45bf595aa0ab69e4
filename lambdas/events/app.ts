import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { CareEvent, EventPublisher } from '../shared/events/care-event.js';
import { changedFields, toChangeRecord } from '../shared/data/stream-image.js';
import type { Logger } from '../shared/logger.js';
import type { StreamHandler } from '../audit/app.js';
import { eventTypeFor } from './event-map.js';

export interface EventsDeps {
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * A committed change -> its domain events: one, or one per recipient when the rule addresses users.
 * Events carry ids and changed field names only (no PHI).
 */
export function careEventsFromRecord(record: DynamoDBStreamEvent['Records'][number]): CareEvent[] {
  const change = toChangeRecord(record);
  const match = eventTypeFor(change);
  const image = change.newImage ?? change.oldImage;
  if (!match || !image) return [];
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  const base: CareEvent = {
    id: change.eventId,
    orgId: String(image.orgId),
    patientId: match.rule.recipientsOnly ? null : str(image.patientId),
    recipientId: null,
    type: match.type,
    entityType: String(image.entityType),
    entityId: String(image.id),
    at: str(image.updatedAt) ?? new Date().toISOString(),
    data: {
      version: image.version ?? null,
      changedFields: changedFields(change.oldImage, change.newImage),
      actorId: str(image.updatedBy),
      ...match.rule.ids?.(image),
    },
  };
  const recipients = match.rule.recipients?.(image) ?? [];
  // Addressed to nobody (a visit with no aide yet): still the patient's event, unless recipients-only.
  if (recipients.length === 0) return match.rule.recipients && match.rule.recipientsOnly ? [] : [base];
  return recipients.map((recipientId, i) => ({ ...base, id: i === 0 ? base.id : `${base.id}:${i}`, recipientId }));
}

/** The single event of a record (tests, and rules without several recipients). */
export const careEventFromRecord = (record: DynamoDBStreamEvent['Records'][number]): CareEvent | undefined =>
  careEventsFromRecord(record)[0];

/**
 * Stream batch -> domain events on the bus. Events are published in stream order; if publishing
 * fails, the batch reports a partial failure from the first record not published, so nothing is
 * lost (a redelivered event keeps its id, so subscribers can drop a repeat).
 */
export function createEventsHandler(deps: EventsDeps): StreamHandler {
  return async (event) => {
    const pending: Array<{ seq: string; event: CareEvent }> = [];
    for (const record of event.Records) {
      for (const care of careEventsFromRecord(record)) pending.push({ seq: record.dynamodb?.SequenceNumber ?? '', event: care });
    }
    for (let i = 0; i < pending.length; i += 10) {
      const chunk = pending.slice(i, i + 10);
      try {
        await deps.publisher.publish(chunk.map((p) => p.event));
      } catch (err) {
        deps.logger.error('publishing events failed', { error: err as Error, from: chunk[0]!.seq });
        return { batchItemFailures: [{ itemIdentifier: chunk[0]!.seq }] };
      }
    }
    if (pending.length) deps.logger.info('events published', { count: pending.length });
    return { batchItemFailures: [] };
  };
}
