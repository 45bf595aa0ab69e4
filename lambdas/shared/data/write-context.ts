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

export interface UpdateSpec {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * SET the given fields (undefined or null values are REMOVEd), bump `version`, stamp the actor,
 * on condition that the item exists and, when given, still has `expectedVersion`.
 */
export function versionedUpdate(fields: Item, ctx: WriteContext, expectedVersion?: number): UpdateSpec {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':one': 1 };
  const sets: string[] = ['#version = #version + :one'];
  const removes: string[] = [];
  let i = 0;
  for (const [name, value] of Object.entries({ ...fields, ...actorAttributes(ctx) })) {
    const n = `#f${i}`;
    names[n] = name;
    if (value === undefined || value === null) {
      removes.push(n);
    } else {
      const v = `:v${i}`;
      values[v] = value;
      sets.push(`${n} = ${v}`);
    }
    i++;
  }
  let condition = 'attribute_exists(PK)';
  if (expectedVersion !== undefined) {
    values[':expected'] = expectedVersion;
    condition += ' AND #version = :expected';
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Attributes that are storage, not domain data: never returned to clients, never "changed fields". */
export const STORAGE_ATTRIBUTES = new Set([
  'PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'expiresAt', 'entityType', 'orgId', 'version',
  'createdAt', 'updatedAt', 'updatedBy', 'updatedByRoles', 'requestId', 'source', 'deleting',
  // The audit verb of a write (`resolve`, `mark_read`): it becomes the row's action, not a field.
  'auditAction',
]);
