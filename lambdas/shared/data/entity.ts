import type { Item } from './db.js';
import { newItem, type WriteContext } from './write-context.js';

/**
 * One item type of the table, in one place: its `entityType` (what the stream, the audit trail and
 * the event map key on), its key builders, and how a stored item maps back to the domain record.
 * A domain's `entities.ts` declares its entities; its repository uses nothing else to build keys,
 * name an item type or read one.
 */
export type Entity<Keys extends object, T> = Keys & {
  readonly entityType: string;
  readonly fromItem: (item: Item) => T;
  /** A new item of this entity (`newItem`: version 1, created and stamped by the actor). */
  newItem(keys: Item, fields: Item, ctx: WriteContext): Item;
};

export function entity<Keys extends object, T = Item>(
  entityType: string,
  keys: Keys,
  fromItem: (item: Item) => T = (item) => item as T,
): Entity<Keys, T> {
  return { ...keys, entityType, fromItem, newItem: (k, fields, ctx) => newItem(k, entityType, fields, ctx) };
}

/** A `fromItem` for records that are just some of the item's attributes, as stored. */
export const pick =
  <T>(fields: readonly string[]) =>
  (item: Item): T =>
    Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]])) as T;
