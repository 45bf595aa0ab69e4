import { describe, expect, it } from 'vitest';
import { versionedUpdate } from '../../../../lambdas/shared/data/update-builder.js';
import { actorAttributes, newItem, type WriteContext } from '../../../../lambdas/shared/data/write-context.js';

const ctx: WriteContext = {
  orgId: 'org-1',
  actorId: 'u-7',
  actorRoles: ['coordinator'],
  requestId: 'req-1',
  source: 'api',
  now: '2025-03-01T10:00:00.000Z',
};

/** Resolves `#name = :value` pairs of a SET clause to `{ attribute: value }`. */
function setsOf(spec: ReturnType<typeof versionedUpdate>): Record<string, unknown> {
  const set = spec.UpdateExpression.replace(/^SET /, '').split(' REMOVE ')[0]!;
  return Object.fromEntries(
    set
      .split(', ')
      .filter((a) => !a.startsWith('#version'))
      .map((a) => {
        const [n, v] = a.split(' = ') as [string, string];
        return [spec.ExpressionAttributeNames[n], spec.ExpressionAttributeValues[v]];
      }),
  );
}

describe('versionedUpdate', () => {
  it('SETs each field through placeholders, bumps the version and stamps the actor', () => {
    const spec = versionedUpdate({ displayName: 'Ada', isActive: false }, ctx, 3);

    expect(spec.UpdateExpression.startsWith('SET #version = #version + :one, ')).toBe(true);
    expect(spec.ExpressionAttributeValues[':one']).toBe(1);
    expect(setsOf(spec)).toEqual({
      displayName: 'Ada',
      isActive: false,
      updatedAt: ctx.now,
      updatedBy: 'u-7',
      updatedByRoles: ['coordinator'],
      requestId: 'req-1',
      source: 'api',
    });
    expect(spec.UpdateExpression).not.toContain('REMOVE');
  });

  it('REMOVEs fields set to null or undefined instead of writing them', () => {
    const spec = versionedUpdate({ room: null, facility: undefined, phoneNumber: '+1 555 0100' }, ctx);

    const removed = spec.UpdateExpression.split(' REMOVE ')[1]!.split(', ').map((n) => spec.ExpressionAttributeNames[n]);
    expect(removed.sort()).toEqual(['facility', 'room']);
    expect(setsOf(spec)).toMatchObject({ phoneNumber: '+1 555 0100' });
    expect(Object.values(spec.ExpressionAttributeValues)).not.toContain(null);
  });

  it('requires the item to exist, and the expected version when one is given', () => {
    expect(versionedUpdate({ a: 1 }, ctx).ConditionExpression).toBe('attribute_exists(PK)');
    expect(versionedUpdate({ a: 1 }, ctx).ExpressionAttributeValues).not.toHaveProperty(':expected');

    const spec = versionedUpdate({ a: 1 }, ctx, 4);
    expect(spec.ConditionExpression).toBe('attribute_exists(PK) AND #version = :expected');
    expect(spec.ExpressionAttributeValues[':expected']).toBe(4);
    expect(spec.ExpressionAttributeNames['#version']).toBe('version');
  });

  it('never puts attribute names into the expression itself (reserved words like "name" stay safe)', () => {
    const spec = versionedUpdate({ name: 'x', status: 'open', size: 3 }, ctx, 1);
    expect(spec.UpdateExpression).not.toMatch(/\b(name|status|size)\b/);
    // every placeholder used is defined
    for (const ph of spec.UpdateExpression.match(/[#:][A-Za-z0-9]+/g) ?? []) {
      const defined = ph.startsWith('#') ? spec.ExpressionAttributeNames : spec.ExpressionAttributeValues;
      expect(defined, ph).toHaveProperty([ph]);
    }
  });
});

describe('newItem', () => {
  it('adds the bookkeeping every item carries, at version 1', () => {
    const item = newItem({ PK: 'ORG#org-1#PAT#p', SK: 'PROFILE' }, 'Patient', { id: 'p', displayName: 'Ada' }, ctx);
    expect(item).toEqual({
      PK: 'ORG#org-1#PAT#p',
      SK: 'PROFILE',
      id: 'p',
      displayName: 'Ada',
      entityType: 'Patient',
      orgId: 'org-1',
      version: 1,
      createdAt: ctx.now,
      ...actorAttributes(ctx),
    });
  });

  it('does not let entity fields override the org or the actor', () => {
    const item = newItem({ PK: 'a', SK: 'b' }, 'Patient', { orgId: 'org-evil', updatedBy: 'mallory', version: 9 }, ctx);
    expect(item).toMatchObject({ orgId: 'org-1', updatedBy: 'u-7', version: 1 });
  });
});
