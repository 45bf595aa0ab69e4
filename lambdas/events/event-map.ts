import type { ChangeRecord } from '../shared/data/stream-image.js';
import type { EventRule } from '../shared/events/event-rule.js';
import { ASSISTED_LIVING_EVENT_RULES } from '../assisted-living/events.js';
import { CONCIERGE_EVENT_RULES } from '../concierge/events.js';
import { HOME_HEALTH_EVENT_RULES } from '../home-health/events.js';
import { IDENTITY_EVENT_RULES } from '../identity/events.js';
import { NOTIFICATIONS_EVENT_RULES } from '../notifications/events.js';
import { MEDICATION_EVENT_RULES } from '../medications/events.js';
import { MESSAGING_EVENT_RULES } from '../messaging/events.js';
import { RESPITE_EVENT_RULES } from '../respite/events.js';

export type { EventRule } from '../shared/events/event-rule.js';

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
  ...RESPITE_EVENT_RULES,
  ...CONCIERGE_EVENT_RULES,
  ...HOME_HEALTH_EVENT_RULES,
};

export function eventTypeFor(change: ChangeRecord): { type: string; rule: EventRule } | undefined {
  const image = change.newImage ?? change.oldImage;
  const rule = typeof image?.entityType === 'string' ? EVENT_RULES[image.entityType] : undefined;
  if (!rule) return undefined;
  if (change.eventName === 'MODIFY' && change.newImage?.deleting === true) return undefined;
  const type = rule.typeFor ? rule.typeFor(change) : rule[change.eventName];
  return type ? { type, rule } : undefined;
}
