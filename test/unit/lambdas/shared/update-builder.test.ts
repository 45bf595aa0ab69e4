import { describe, expect, it } from 'vitest';
import { update, versioned, type UpdateSpec } from '../../../../lambdas/shared/data/update-builder.js';
import { actorAttributes, type WriteContext } from '../../../../lambdas/shared/data/write-context.js';

const ctx: WriteContext = {
  orgId: 'org-1',
  actorId: 'u-7',
  actorRoles: ['coordinator'],
  requestId: 'req-1',
  source: 'api',
  now: '2025-03-01T10:00:00.000Z',
};

/** The spec with every placeholder resolved: what DynamoDB will actually do. */
function resolved(spec: UpdateSpec) {
  const names = spec.ExpressionAttributeNames;
  const values = spec.ExpressionAttributeValues ?? {};
  const path = (p: string) => p.split('.').map((n) => names[n] ?? `?${n}`).join('.');
  const value = (v: string) => (v in values ? values[v] : `?${v}`);
  const clauses = Object.fromEntries(
    [...spec.UpdateExpression.matchAll(/(SET|REMOVE|ADD) (.*?)(?= (?:SET|REMOVE|ADD) |$)/g)].map((m) => [m[1]!, m[2]!.split(/, (?![^(]*\))/)]),
  );
  const set: Record<string, unknown> = {};
  for (const a of clauses.SET ?? []) {
    const [target, expr] = a.split(' = ') as [string, string];
    const ifNotExists = /^if_not_exists\((\S+), (\S+)\)$/.exec(expr);
    const plus = /^(\S+) \+ (\S+)$/.exec(expr);
    set[path(target)] = ifNotExists
      ? { ifNotExists: value(ifNotExists[2]!) }
      : plus
        ? { plus: value(plus[2]!), of: path(plus[1]!) }
        : value(expr);
  }
  const add = Object.fromEntries((clauses.ADD ?? []).map((a: string) => a.split(' ')).map(([n, v]: string[]) => [path(n!), value(v!)]));
  const condition = spec.ConditionExpression?.replace(/[#:][A-Za-z0-9_]+/g, (ph) => (ph.startsWith('#') ? names[ph]! : JSON.stringify(values[ph])));
  return { set, remove: (clauses.REMOVE ?? []).map(path), add, condition };
}

/** Every placeholder the expressions use is defined, and every defined one is used (DynamoDB refuses both). */
function expectPlaceholdersConsistent(spec: UpdateSpec) {
  const text = `${spec.UpdateExpression} ${spec.ConditionExpression ?? ''}`;
  const used = new Set(text.match(/[#:][A-Za-z0-9_]+/g));
  const defined = [...Object.keys(spec.ExpressionAttributeNames), ...Object.keys(spec.ExpressionAttributeValues ?? {})];
  expect(new Set(defined)).toEqual(used);
}

describe('update()', () => {
  it('SETs fields and REMOVEs the ones given as null or undefined', () => {
    const spec = update().set({ status: 'open', room: null, facility: undefined, count: 0 }).build();
    expect(resolved(spec)).toEqual({ set: { status: 'open', count: 0 }, remove: ['room', 'facility'], add: {}, condition: undefined });
    expect(spec).not.toHaveProperty('ConditionExpression');
    expect(spec.UpdateExpression).not.toMatch(/\b(status|room|count)\b/);
    expectPlaceholdersConsistent(spec);
  });

  it('bumps the version, on condition of the expected one when given, and stamps the actor last', () => {
    const spec = versioned(ctx, 4).set({ name: 'x', updatedBy: 'mallory' }).build();
    expect(spec.UpdateExpression.startsWith('SET #version = #version + :one, ')).toBe(true);
    expect(spec.ConditionExpression).toBe('attribute_exists(PK) AND #version = :expected');
    expect(spec.ExpressionAttributeValues).toMatchObject({ ':one': 1, ':expected': 4 });
    expect(resolved(spec).set).toEqual({ version: { plus: 1, of: 'version' }, name: 'x', ...actorAttributes(ctx) });
    expectPlaceholdersConsistent(spec);

    expect(versioned(ctx).set({ a: 1 }).build().ConditionExpression).toBe('attribute_exists(PK)');
  });

  it('stamps the actor without a version bump when asked only for that', () => {
    const spec = update().set({ overdueNotifiedAt: ctx.now }).stamp(ctx).build();
    expect(resolved(spec).set).toEqual({ overdueNotifiedAt: ctx.now, ...actorAttributes(ctx) });
    expect(Object.values(spec.ExpressionAttributeNames)).not.toContain('version');
  });

  it('increments with SET arithmetic and counts with ADD; +1 shares the version bump\'s :one', () => {
    const spec = versioned(ctx).increment('messageCount', 1).increment('unreadCount', -3).add({ openCount: 1, resolvedCount: -1 }).build();
    expect(resolved(spec)).toMatchObject({
      set: { messageCount: { plus: 1, of: 'messageCount' }, unreadCount: { plus: -3, of: 'unreadCount' } },
      add: { openCount: 1, resolvedCount: -1 },
    });
    expect(Object.entries(spec.ExpressionAttributeValues!).filter(([, v]) => v === 1).map(([k]) => k)).toEqual([':one']);
    expect(spec.UpdateExpression).toMatch(/^SET .* ADD /);
    expectPlaceholdersConsistent(spec);
  });

  it('sets createdAt-style fields only where absent', () => {
    const spec = update().stamp(ctx).setIfNotExists({ createdAt: ctx.now }).add({ unreadCount: 1 }).build();
    expect(resolved(spec).set).toMatchObject({ createdAt: { ifNotExists: ctx.now } });
    expectPlaceholdersConsistent(spec);
  });

  it('sets a nested map entry through placeholders for every segment', () => {
    const spec = update().setAt(['conversationIds', 'C-1.weird name'], true).build();
    expect(resolved(spec).set).toEqual({ 'conversationIds.C-1.weird name': true });
    expect(spec.UpdateExpression).toMatch(/^SET #n\d+\.#n\d+ = :v\d+$/);
  });

  it('the last value given for an attribute wins, whether SET or REMOVE', () => {
    const spec = update().set({ a: 1, b: 2 }).set({ a: null }).set({ b: 3 }).build();
    expect(resolved(spec)).toMatchObject({ set: { b: 3 }, remove: ['a'] });
    expectPlaceholdersConsistent(spec);
  });

  it('joins conditions with AND, parenthesising one that holds an OR', () => {
    const spec = versioned(ctx)
      .set({ lastMessageId: 'm2' })
      .where('attribute_not_exists(#last) OR #last < :msgId', { '#last': 'lastMessageId' }, { ':msgId': 'm2' })
      .where('size(#pids) = :count', { '#pids': 'participantIds' }, { ':count': 3 })
      .compare('uploadedBy', '<>', 'u-9')
      .compare('unreadCount', '<=', 5)
      .absent('readAt')
      .build();
    expect(resolved(spec).condition).toBe(
      'attribute_exists(PK) AND (attribute_not_exists(lastMessageId) OR lastMessageId < "m2") AND size(participantIds) = 3 ' +
        'AND uploadedBy <> "u-9" AND unreadCount <= 5 AND attribute_not_exists(readAt)',
    );
    // The SET reuses the condition's placeholder for the same attribute.
    expect(spec.UpdateExpression).toContain('#last = ');
    expectPlaceholdersConsistent(spec);
  });

  it('keeps a lone condition as written', () => {
    const spec = update().add({ count: 1 }).where('attribute_not_exists(#count) OR #count < :max', { '#count': 'count' }, { ':max': 2 }).build();
    expect(spec.ConditionExpression).toBe('attribute_not_exists(#count) OR #count < :max');
    expect(spec.UpdateExpression).toBe('ADD #count :one');
    expect(spec.ExpressionAttributeValues).toEqual({ ':max': 2, ':one': 1 });
  });

  it('refuses a placeholder bound to something else, or not spelled as one', () => {
    expect(() => update().where('#a = :x', { '#a': 'a' }, { ':x': 1 }).where('#a = :x', { '#a': 'b' })).toThrow(/#a already names a/);
    expect(() => update().where('#a = :x', { '#a': 'a' }, { ':x': 1 }).where('#a = :x', {}, { ':x': 2 })).toThrow(/:x/);
    expect(() => versioned(ctx, 1).where('#version = :v', { '#version': 'other' })).toThrow();
    expect(() => update().where('x', { 'a b': 'a' })).toThrow(/placeholder/);
    expect(() => update().where('x', {}, { '#x': 1 })).toThrow(/placeholder/);
  });

  it('never hands out a placeholder a caller declared', () => {
    const spec = update().where('#n0 = :v1', { '#n0': 'x' }, { ':v1': 'y' }).set({ a: 1, b: 2 }).compare('c', '=', 3).build();
    expect(resolved(spec)).toMatchObject({ set: { a: 1, b: 2 }, condition: 'x = "y" AND c = 3' });
    expectPlaceholdersConsistent(spec);
  });

  it('builds the same spec twice, and refuses an update that changes nothing', () => {
    const b = versioned(ctx).set({ a: 1 }).compare('b', '=', 2);
    expect(b.build()).toEqual(b.build());
    expect(() => update().exists().build()).toThrow(/change something/);
  });

  it('leaves out ExpressionAttributeValues when there are none (DynamoDB refuses an empty map)', () => {
    const spec = update().set({ GSI1PK: null }).build();
    expect(spec).toEqual({ UpdateExpression: 'REMOVE #n0', ExpressionAttributeNames: { '#n0': 'GSI1PK' } });
  });
});
