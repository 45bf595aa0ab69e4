import type { ChangeRecord } from '../shared/data/stream-image.js';
import type { EventRule } from '../shared/events/event-rule.js';
import { EVENT_RULES } from '../platform-registry.js';

export type { EventRule } from '../shared/events/event-rule.js';

/**
 * Entity type -> domain events. Domain events come from committed table changes (never from a
 * handler's intent), so an event is published if and only if the change happened. Each domain
 * declares its own rules (`events` in its descriptor); the table is derived from the facets (lambdas/platform-registry.ts).
 */
export { EVENT_RULES };

export function eventTypeFor(change: ChangeRecord): { type: string; rule: EventRule } | undefined {
  const image = change.newImage ?? change.oldImage;
  const rule = typeof image?.entityType === 'string' ? EVENT_RULES[image.entityType] : undefined;
  if (!rule) return undefined;
  if (change.eventName === 'MODIFY' && change.newImage?.deleting === true) return undefined;
  const type = rule.typeFor ? rule.typeFor(change) : rule[change.eventName];
  return type ? { type, rule } : undefined;
}
