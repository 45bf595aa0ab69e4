import type { Item } from './db.js';
import { actorAttributes, type WriteContext } from './write-context.js';

/** What `db.update(...)` (an UpdateCommand or a transaction's Update) takes besides table and key. */
export interface UpdateSpec {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

type Change =
  | { kind: 'set'; value: unknown }
  | { kind: 'remove' }
  | { kind: 'ifNotExists'; value: unknown }
  | { kind: 'increment'; delta: number }
  | { kind: 'add'; value: number };

const PLACEHOLDER = /^[#:][A-Za-z0-9_]+$/;

/**
 * The one way to write an UpdateExpression. Every attribute name and value goes through a
 * placeholder (reserved words such as `status` or `count` stay safe, and no value is ever spliced
 * into the text); placeholders a condition names itself are checked against the ones already in
 * use, so two parts can never silently rebind `:now` or `#st` to something else.
 *
 * ```ts
 * db.update({
 *   Key,
 *   ...update().exists().version(expected).stamp(ctx)
 *     .set({ status: 'missed', auditAction: 'miss', room: null })   // null/undefined -> REMOVE
 *     .increment('unreadCount', 1)
 *     .where('#st = :due', { '#st': 'status' }, { ':due': 'due' })
 *     .build(),
 * });
 * ```
 */
export class UpdateBuilder {
  private readonly changes = new Map<string, { path: readonly string[]; change: Change }>();
  private readonly conditions: string[] = [];
  private readonly names = new Map<string, string>();
  private readonly values = new Map<string, unknown>();
  private stampedBy: WriteContext | undefined;
  private counter = 0;

  /** SETs each field; `undefined` or `null` REMOVEs it instead (DynamoDB stores no nulls for us). */
  set(fields: Item): this {
    for (const [name, value] of Object.entries(fields)) this.setAt([name], value);
    return this;
  }

  /** SETs (or REMOVEs) one nested path, e.g. `['conversationIds', id]` for a map entry. */
  setAt(path: readonly string[], value: unknown): this {
    return this.change(path, value === undefined || value === null ? { kind: 'remove' } : { kind: 'set', value });
  }

  /** SETs each field only where the item does not have it yet (`createdAt` of an upserted item). */
  setIfNotExists(fields: Item): this {
    for (const [name, value] of Object.entries(fields)) this.change([name], { kind: 'ifNotExists', value });
    return this;
  }

  /**
   * `SET attr = attr + delta`: the attribute must already exist (DynamoDB refuses the update
   * otherwise), which is what a counter the item was created with wants.
   */
  increment(attr: string, delta: number): this {
    return this.change([attr], { kind: 'increment', delta });
  }

  /** `ADD attr delta` for each entry: creates the attribute (and the item) at 0 + delta when absent. */
  add(deltas: Record<string, number>): this {
    for (const [name, value] of Object.entries(deltas)) this.change([name], { kind: 'add', value });
    return this;
  }

  /** Bumps `version`; with `expected`, only if the item is still at that version (optimistic lock). */
  version(expected?: number): this {
    this.bind({ '#version': 'version' }, {});
    this.change(['version'], { kind: 'increment', delta: 1 });
    if (expected !== undefined) this.where('#version = :expected', {}, { ':expected': expected });
    return this;
  }

  /**
   * Stamps the actor (`actorAttributes`) on the item. Applied last, so a field of the same name
   * cannot overwrite who wrote it.
   */
  stamp(ctx: WriteContext): this {
    this.stampedBy = ctx;
    return this;
  }

  /** Condition: the item exists (an update must not create it). */
  exists(): this {
    return this.where('attribute_exists(PK)');
  }

  /** Condition: the item has no `attr`. */
  absent(attr: string): this {
    return this.where(`attribute_not_exists(${this.name(attr)})`);
  }

  /** Condition: `attr <op> value`. */
  compare(attr: string, op: '=' | '<>' | '<' | '<=' | '>' | '>=', value: unknown): this {
    return this.where(`${this.name(attr)} ${op} ${this.value(value)}`);
  }

  /**
   * Any other condition, in DynamoDB's syntax over placeholders it declares here (or ones already
   * declared). All conditions must hold; one holding an OR is parenthesised when combined.
   */
  where(expression: string, names: Record<string, string> = {}, values: Record<string, unknown> = {}): this {
    this.bind(names, values);
    this.conditions.push(expression);
    return this;
  }

  build(): UpdateSpec {
    // Building twice gives the same spec: placeholders made here are numbered from the same point.
    const counter = this.counter;
    try {
      return this.assemble();
    } finally {
      this.counter = counter;
    }
  }

  private assemble(): UpdateSpec {
    const names = new Map(this.names);
    const values = new Map(this.values);
    const nameOf = (attr: string) => this.name(attr, names);
    const valueOf = (v: unknown) => this.value(v, values);
    // +1, the commonest delta, is one shared `:one` (as the version bump always spelled it).
    const deltaOf = (d: number) => {
      if (d !== 1 || (values.has(':one') && values.get(':one') !== 1)) return valueOf(d);
      values.set(':one', 1);
      return ':one';
    };
    const changes = new Map(this.changes);
    if (this.stampedBy) {
      for (const [name, value] of Object.entries(actorAttributes(this.stampedBy))) {
        changes.delete(name);
        changes.set(name, { path: [name], change: { kind: 'set', value } });
      }
    }
    const sets: string[] = [];
    const removes: string[] = [];
    const adds: string[] = [];
    for (const { path, change } of changes.values()) {
      const p = path.map(nameOf).join('.');
      switch (change.kind) {
        case 'set':
          sets.push(`${p} = ${valueOf(change.value)}`);
          break;
        case 'remove':
          removes.push(p);
          break;
        case 'ifNotExists':
          sets.push(`${p} = if_not_exists(${p}, ${valueOf(change.value)})`);
          break;
        case 'increment':
          sets.push(`${p} = ${p} + ${deltaOf(change.delta)}`);
          break;
        case 'add':
          adds.push(`${p} ${deltaOf(change.value)}`);
          break;
      }
    }
    const clauses = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
      adds.length ? `ADD ${adds.join(', ')}` : '',
    ].filter(Boolean);
    if (clauses.length === 0) throw new Error('An update must change something');
    const many = this.conditions.length > 1;
    const condition = this.conditions.map((c) => (many && /\sOR\s/i.test(c) ? `(${c})` : c)).join(' AND ');
    return {
      UpdateExpression: clauses.join(' '),
      ...(condition ? { ConditionExpression: condition } : {}),
      ExpressionAttributeNames: Object.fromEntries(names),
      // DynamoDB refuses an empty map (a REMOVE-only update with no condition has no values).
      ...(values.size ? { ExpressionAttributeValues: Object.fromEntries(values) } : {}),
    };
  }

  private change(path: readonly string[], change: Change): this {
    if (path.length === 0 || path.some((p) => p === '')) throw new Error('An attribute path needs non-empty names');
    const key = path.join('\u0000');
    // Re-setting an attribute moves it: the last value given is the one written.
    this.changes.delete(key);
    this.changes.set(key, { path, change });
    return this;
  }

  private bind(names: Record<string, string>, values: Record<string, unknown>): void {
    for (const [ph, attr] of Object.entries(names)) {
      if (!ph.startsWith('#') || !PLACEHOLDER.test(ph)) throw new Error(`Not a name placeholder: ${ph}`);
      const bound = this.names.get(ph);
      if (bound !== undefined && bound !== attr) throw new Error(`${ph} already names ${bound}`);
      this.names.set(ph, attr);
    }
    for (const [ph, value] of Object.entries(values)) {
      if (!ph.startsWith(':') || !PLACEHOLDER.test(ph)) throw new Error(`Not a value placeholder: ${ph}`);
      if (this.values.has(ph) && this.values.get(ph) !== value) throw new Error(`${ph} is already bound to another value`);
      this.values.set(ph, value);
    }
  }

  /** The placeholder of an attribute name: one per name, reusing one a condition declared. */
  private name(attr: string, names = this.names): string {
    for (const [ph, bound] of names) if (bound === attr) return ph;
    const ph = this.fresh('#n', names);
    names.set(ph, attr);
    return ph;
  }

  private value(value: unknown, values = this.values): string {
    const ph = this.fresh(':v', values);
    values.set(ph, value);
    return ph;
  }

  /** Builder-made placeholders are `#n<i>` / `:v<i>`, skipping any a caller declared. */
  private fresh(prefix: string, taken: Map<string, unknown>): string {
    let ph: string;
    do ph = `${prefix}${this.counter++}`;
    while (taken.has(ph) || this.names.has(ph) || this.values.has(ph));
    return ph;
  }
}

export const update = (): UpdateBuilder => new UpdateBuilder();

/**
 * A versioned write's update: the item must exist (and, given `expectedVersion`, still be at it);
 * `version` goes up by one and the actor is stamped. Chain what else the write does.
 */
export const versioned = (ctx: WriteContext, expectedVersion?: number): UpdateBuilder =>
  update().exists().version(expectedVersion).stamp(ctx);

/** SET `fields` (null/undefined => REMOVE) as a versioned write (see `versioned`). */
export function versionedUpdate(
  fields: Item,
  ctx: WriteContext,
  expectedVersion?: number,
): UpdateSpec & { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> } {
  return versioned(ctx, expectedVersion).set(fields).build() as ReturnType<typeof versionedUpdate>;
}
