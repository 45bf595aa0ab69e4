import type { Item } from '../data/db.js';
import type { ChangeRecord } from '../data/stream-image.js';

/**
 * How a change of an entity becomes a domain event: its name, and whom it is addressed to. Each
 * domain declares its rules (`lambdas/<domain>/events.ts`) with this type, and the events function
 * joins them (`lambdas/events/event-map.ts`); the type lives here, below both, so neither imports
 * the other.
 */
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

