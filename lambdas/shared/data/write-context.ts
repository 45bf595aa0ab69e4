import type { Item } from './db.js';

/** Who is writing, and why: stamped on every item so the stream record names the actor. */
export interface WriteContext {
  orgId: string;
  actorId: string;
  actorRoles: string[];
  requestId: string;
  source: 'api' | 'scheduler' | 'system';
  /** ISO 8601 UTC, from the injected clock. */
  now: string;
}

/** The attributes every item carries besides its own fields (DATA-MODEL.md, "Table"). */
export function actorAttributes(ctx: WriteContext): Item {
  return {
    updatedAt: ctx.now,
    updatedBy: ctx.actorId,
    updatedByRoles: ctx.actorRoles,
    requestId: ctx.requestId,
    source: ctx.source,
  };
}

/** A new item: keys + entity fields + bookkeeping, version 1. */
export function newItem(keys: Item, entityType: string, fields: Item, ctx: WriteContext): Item {
  return {
    ...keys,
    ...fields,
    entityType,
    orgId: ctx.orgId,
    version: 1,
    createdAt: ctx.now,
    ...actorAttributes(ctx),
  };
}

/** Attributes that are storage, not domain data: never returned to clients, never "changed fields". */
export const STORAGE_ATTRIBUTES = new Set([
  'PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'expiresAt', 'entityType', 'orgId', 'version',
  'createdAt', 'updatedAt', 'updatedBy', 'updatedByRoles', 'requestId', 'source', 'deleting',
  // The audit verb of a write (`resolve`, `mark_read`): it becomes the row's action, not a field.
  'auditAction',
]);
