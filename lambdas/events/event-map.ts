import type { Item } from '../shared/data/db.js';
import type { ChangeRecord } from '../shared/data/stream-image.js';
import { ASSISTED_LIVING_EVENT_RULES } from '../assisted-living/events.js';
import { IDENTITY_EVENT_RULES } from '../identity/events.js';
import { NOTIFICATIONS_EVENT_RULES } from '../notifications/events.js';
import { MEDICATION_EVENT_RULES } from '../medications/events.js';
import { MESSAGING_EVENT_RULES } from '../messaging/events.js';

/** How a change of an entity becomes a domain event: its name, and whom it is addressed to. */
export interface EventRule {
  INSERT?: string;
  MODIFY?: string;
  REMOVE?: string;
  /**
   * The users an event is addressed to (`onMyEvent`): one event per recipient. Without it, the
   * event is addressed to nobody and reaches `onPatientEvent` subscribers of its patient only.
   */
  recipients?: (image: Item) => readonly string[];
  /**
   * The event is for its recipients only: it carries no `patientId`, so it never reaches
   * `onPatientEvent` subscribers (who may see the patient but not, say, a conversation about it).
   * @default false
   */
  recipientsOnly?: boolean;
  /** More ids a client needs to fetch what changed (e.g. a message's conversation), added to `data`. */
  ids?: (image: Item) => Record<string, string>;
  /**
   * When the event's name depends on the change itself (a Dose that turns `missed` is `DoseMissed`,
   * one that is confirmed `DoseConfirmed`): answers the type, or undefined for no event. Takes
   * precedence over INSERT/MODIFY/REMOVE. @default - the type for the change's event name
   */
  typeFor?: (change: ChangeRecord) => string | undefined;
}

/**
 * Entity type -> domain events. Domain events come from committed table changes (never from a
 * handler's intent), so an event is published if and only if the change happened. Each domain
 * declares its own rules (`lambdas/<domain>/events.ts`) and they are joined here.
 */
export const EVENT_RULES: Record<string, EventRule> = {
  ...IDENTITY_EVENT_RULES,
  ...NOTIFICATIONS_EVENT_RULES,
  ...ASSISTED_LIVING_EVENT_RULES,
  ...MESSAGING_EVENT_RULES,
  ...MEDICATION_EVENT_RULES,
};

export function eventTypeFor(change: ChangeRecord): { type: string; rule: EventRule } | undefined {
  const image = change.newImage ?? change.oldImage;
  const rule = typeof image?.entityType === 'string' ? EVENT_RULES[image.entityType] : undefined;
  if (!rule) return undefined;
  if (change.eventName === 'MODIFY' && change.newImage?.deleting === true) return undefined;
  const type = rule.typeFor ? rule.typeFor(change) : rule[change.eventName];
  return type ? { type, rule } : undefined;
}
