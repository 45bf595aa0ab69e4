import type { Item } from '../shared/data/db.js';
import type { ChangeRecord } from '../shared/data/stream-image.js';

/** How a change of an entity becomes a domain event: its name, and whom it is addressed to. */
export interface EventRule {
  INSERT?: string;
  MODIFY?: string;
  REMOVE?: string;
  /** The user an event is addressed to (`onMyEvent`), if any. */
  recipient?: (image: Item) => string | undefined;
}

/**
 * Entity type -> domain events. Domain events come from committed table changes (never from a
 * handler's intent), so an event is published if and only if the change happened. Each domain adds
 * its entities here.
 */
export const EVENT_RULES: Record<string, EventRule> = {
  Patient: { INSERT: 'PatientCreated', MODIFY: 'PatientUpdated' },
  CareTeamMember: {
    INSERT: 'CareTeamMemberAdded',
    MODIFY: 'CareTeamMemberUpdated',
    REMOVE: 'CareTeamMemberRemoved',
    recipient: (image) => (typeof image.userId === 'string' ? image.userId : undefined),
  },
};

export function eventTypeFor(change: ChangeRecord): { type: string; rule: EventRule } | undefined {
  const image = change.newImage ?? change.oldImage;
  const rule = typeof image?.entityType === 'string' ? EVENT_RULES[image.entityType] : undefined;
  if (!rule) return undefined;
  if (change.eventName === 'MODIFY' && change.newImage?.deleting === true) return undefined;
  const type = rule[change.eventName];
  return type ? { type, rule } : undefined;
}
