import {
  BatchGetItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type ConditionCheck,
  type Delete,
  type DynamoDBClient,
  type Put,
  type QueryInput,
  type TransactWriteItem,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ValidationError } from '../errors.js';
import { TransactionCancelledError } from './transaction-failures.js';

// Read a cancellation without this module (and so without the SDK): lambdas/shared/data/transaction-failures.ts.
export { failedPart, TransactionCancelledError } from './transaction-failures.js';

/** An item, a key or a set of expression values in document form: plain JS values, not AttributeValues. */
export type Item = Record<string, unknown>;

/** The members of a request that carry values, which the Db marshals (and the document client did). */
type ValueMember = 'Key' | 'Item' | 'ExpressionAttributeValues' | 'ExclusiveStartKey';
/** A client-dynamodb input shape with its value members in document form (optional ones stay optional). */
type InDocumentForm<T> = { [P in keyof T]: P extends ValueMember ? Item | Extract<T[P], undefined> : T[P] };

/** One action of a TransactWriteItems, in document form (as `TransactWriteCommandInput` of the document client had it). */
export interface TransactItem {
  ConditionCheck?: InDocumentForm<ConditionCheck> | undefined;
  Put?: InDocumentForm<Put> | undefined;
  Delete?: InDocumentForm<Delete> | undefined;
  Update?: InDocumentForm<Update> | undefined;
}

/**
 * A Query's input in document form. The legacy `KeyConditions` and `QueryFilter` are left out: the
 * Db does not marshal them, and nothing uses them (key condition and filter expressions do it).
 */
export type QueryRequest = InDocumentForm<Omit<QueryInput, 'KeyConditions' | 'QueryFilter'>>;

/**
 * A transaction's items by name: what each one is for (`patientExists`, `participants`), so a
 * cancellation is read by name, never by counting positions. A name may stand for several items
 * (every participant's update); object order is request order.
 */
export type TransactParts = Record<string, TransactItem | readonly TransactItem[]>;

type AttributeMap = Record<string, AttributeValue>;

/**
 * The document client's marshalling, as `DynamoDBDocumentClient.from(client, { marshallOptions:
 * { removeUndefinedValues: true } })` did it: each value member (a key, an item, expression values)
 * is a map of attributes whose undefined or function values are left out, nested maps and lists
 * are `{ M }` and `{ L }`, and numbers come back as JS numbers (no `wrapNumbers`; past
 * Number.MAX_SAFE_INTEGER a bigint, as before). The document client marshalled attribute by
 * attribute; `marshall` of the whole map does the same for a plain object, which is all a
 * repository builds (a class instance at the top would be refused, as one nested always was).
 * `test/unit/lambdas/shared/db.test.ts` compares the wire with the document client's.
 */
const toAttributes = (values: Item): AttributeMap => marshall(values, { removeUndefinedValues: true });
const fromAttributes = (attributes: AttributeMap): Item => unmarshall(attributes);

const VALUE_MEMBERS: readonly ValueMember[] = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'];

/** A request (or a transaction's action) with its value members marshalled; the rest is passed as it is. */
function marshalled<T extends Partial<Record<ValueMember, Item | undefined>>>(input: T): { [P in keyof T]: P extends ValueMember ? AttributeMap : T[P] } {
  const out: Record<string, unknown> = { ...input };
  for (const member of VALUE_MEMBERS) {
    const values = input[member];
    if (values) out[member] = toAttributes(values);
  }
  return out as never;
}

/** A transaction item with the value members of its one action marshalled. */
const marshallTransactItem = (item: TransactItem): TransactWriteItem =>
  Object.fromEntries(Object.entries(item).map(([kind, action]) => [kind, action && marshalled(action as InDocumentForm<Put>)]));

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a list request asks of a page: how many items, and where the previous page ended. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** The DynamoDB operations the Db issues, as named in ConsumedCapacity reports. */
export type DbOperation = 'GetItem' | 'PutItem' | 'BatchGetItem' | 'Query' | 'TransactWriteItems';

/** Capacity units one call consumed (DynamoDB's ReturnConsumedCapacity: TOTAL, summed over tables). */
export interface ConsumedCapacityReport {
  operation: DbOperation;
  readCapacityUnits: number;
  writeCapacityUnits: number;
  capacityUnits: number;
}

export interface DbOptions {
  /**
   * Called after every successful call with the capacity it consumed. When set, each request asks
   * for `ReturnConsumedCapacity: 'TOTAL'`; when unset, requests are exactly as without it (the
   * benchmark sets it; the functions do not).
   * @default - no capacity is requested or reported
   */
  onConsumedCapacity?: (report: ConsumedCapacityReport) => void;
}

type CapacityOut = {
  ConsumedCapacity?: { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number } | Array<{
    ReadCapacityUnits?: number;
    WriteCapacityUnits?: number;
    CapacityUnits?: number;
  }>;
};

/**
 * The single table, as the repositories see it: named operations over the plain DynamoDB client,
 * with DynamoDB's errors turned into ones a repository can reason about. Only repositories use it.
 * Requests are built in document form (plain JS values) and marshalled here with
 * `@aws-sdk/util-dynamodb`, exactly as the document client of `@aws-sdk/lib-dynamodb` did; that
 * client is not used so that its 6 KB and its middleware on every call stay out of each function's
 * bundle (issue 25, docs/cold-starts.md).
 */
export class Db {
  /** `{ ReturnConsumedCapacity: 'TOTAL' }` while a recorder is set, else `{}`: spread into each request. */
  private readonly rcc: { ReturnConsumedCapacity?: 'TOTAL' };
  private readonly onCapacity: DbOptions['onConsumedCapacity'];

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    options: DbOptions = {},
  ) {
    this.onCapacity = options.onConsumedCapacity;
    this.rcc = this.onCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {};
  }

  private report(operation: DbOperation, out: CapacityOut): void {
    if (!this.onCapacity) return;
    const list = Array.isArray(out.ConsumedCapacity) ? out.ConsumedCapacity : out.ConsumedCapacity ? [out.ConsumedCapacity] : [];
    const sum = (f: (c: (typeof list)[number]) => number | undefined) => list.reduce((n, c) => n + (f(c) ?? 0), 0);
    // With TOTAL, DynamoDB may give only CapacityUnits; they are read units for a read, write units
    // for a write.
    const writes = operation === 'PutItem' || operation === 'TransactWriteItems';
    this.onCapacity({
      operation,
      readCapacityUnits: sum((c) => c.ReadCapacityUnits ?? (writes ? 0 : c.CapacityUnits)),
      writeCapacityUnits: sum((c) => c.WriteCapacityUnits ?? (writes ? c.CapacityUnits : 0)),
      capacityUnits: sum((c) => c.CapacityUnits),
    });
  }

  async get<T = Item>(key: { PK: string; SK: string }, consistent = false): Promise<T | undefined> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toAttributes(key), ConsistentRead: consistent, ...this.rcc }),
    );
    this.report('GetItem', out);
    return out.Item ? (fromAttributes(out.Item) as T) : undefined;
  }

  /** A single conditional-free put (for items no invariant depends on). */
  async putItem(item: Item): Promise<void> {
    const out = await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toAttributes(item), ...this.rcc }));
    this.report('PutItem', out);
  }

  async batchGet<T = Item>(keys: ReadonlyArray<{ PK: string; SK: string }>): Promise<T[]> {
    if (keys.length === 0) return [];
    const found: Item[] = [];
    // Unprocessed keys are re-sent as DynamoDB returned them (already marshalled).
    let pending: AttributeMap[] = keys.map((k) => toAttributes(k));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
      const out = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending } }, ...this.rcc }));
      this.report('BatchGetItem', out);
      found.push(...(out.Responses?.[this.tableName] ?? []).map(fromAttributes));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    if (pending.length > 0) throw new Error('BatchGet left keys unprocessed');
    return found as T[];
  }

  /**
   * One page of a Query. The cursor is the opaque, base64url-encoded LastEvaluatedKey (unmarshalled,
   * so a cursor reads as it did with the document client); it is checked to belong to the same
   * partition as the query so a forged cursor cannot move it.
   */
  async queryPage<T = Item>(
    input: Omit<QueryRequest, 'TableName' | 'ExclusiveStartKey' | 'Limit'>,
    page: PageRequest,
    partition: { attribute: string; value: string },
  ): Promise<Page<T>> {
    const start = page.cursor ? decodeCursor(page.cursor, partition, { indexName: input.IndexName }) : undefined;
    const out = await this.client.send(
      new QueryCommand(marshalled({ ...input, TableName: this.tableName, Limit: page.limit, ExclusiveStartKey: start, ...this.rcc })),
    );
    this.report('Query', out);
    return {
      items: (out.Items ?? []).map(fromAttributes) as T[],
      nextCursor: out.LastEvaluatedKey ? encodeCursor(fromAttributes(out.LastEvaluatedKey)) : null,
    };
  }

  /** Every item under a key condition (small, bounded collections only: a care team, say). */
  async queryAll<T = Item>(input: Omit<QueryRequest, 'TableName'>, max = 1000): Promise<T[]> {
    const items: Item[] = [];
    const request = marshalled({ ...input, TableName: this.tableName, ...this.rcc });
    let start: AttributeMap | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...request, ExclusiveStartKey: start }));
      this.report('Query', out);
      items.push(...(out.Items ?? []).map(fromAttributes));
      start = out.LastEvaluatedKey;
    } while (start && items.length < max);
    return items as T[];
  }

  /**
   * A TransactWriteItems. Cancellations caused only by a concurrent transaction on the same items
   * (`TransactionConflict`) are retried with jitter, since the SDK does not retry them; a failed
   * condition is reported with its reasons for the repository to interpret.
   */
  async transact(parts: TransactParts, attempts = 8): Promise<void> {
    const named = Object.entries(parts).flatMap(([part, item]) => (isItemList(item) ? item : [item]).map((i) => [part, i] as const));
    const items = named.map(([, item]) => marshallTransactItem(item));
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(new TransactWriteItemsCommand({ TransactItems: items, ...this.rcc }));
        this.report('TransactWriteItems', out);
        return;
      } catch (err) {
        if (!(err instanceof Error && err.name === 'TransactionCanceledException')) throw err;
        // `Item` is there only for a request that sets ReturnValuesOnConditionCheckFailure (none
        // does today); unmarshalled so a reason reads like every other item.
        const reasons = ((err as { CancellationReasons?: Array<{ Code?: string; Item?: AttributeMap }> }).CancellationReasons ?? []).map(
          (r, i) => ({ part: named[i]?.[0] ?? '', code: r.Code ?? 'None', ...(r.Item ? { item: fromAttributes(r.Item) } : {}) }),
        );
        const conflictOnly = reasons.some((r) => r.code === 'TransactionConflict') && !reasons.some((r) => r.code === 'ConditionalCheckFailed');
        if (conflictOnly && attempt < attempts) {
          await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
          continue;
        }
        throw new TransactionCancelledError(reasons);
      }
    }
  }

  /** Helpers that fill in the table name, so repositories write only what is theirs. */
  put(item: Item, condition?: Omit<NonNullable<TransactItem['Put']>, 'TableName' | 'Item'>): TransactItem {
    return { Put: { TableName: this.tableName, Item: item, ...condition } };
  }
  update(spec: Omit<NonNullable<TransactItem['Update']>, 'TableName'>): TransactItem {
    return { Update: { TableName: this.tableName, ...spec } };
  }
  delete(spec: Omit<NonNullable<TransactItem['Delete']>, 'TableName'>): TransactItem {
    return { Delete: { TableName: this.tableName, ...spec } };
  }
  conditionCheck(spec: Omit<NonNullable<TransactItem['ConditionCheck']>, 'TableName'>): TransactItem {
    return { ConditionCheck: { TableName: this.tableName, ...spec } };
  }
}

const isItemList = (part: TransactItem | readonly TransactItem[]): part is readonly TransactItem[] => Array.isArray(part);

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The LastEvaluatedKey inside a cursor, checked to belong to `partition`. With `query` given, its
 * attributes must be exactly the keys of that table or index (PK, SK, and the index's own), so a
 * cursor of another list whose last item happens to share the partition cannot reach DynamoDB as
 * an invalid ExclusiveStartKey (a 500): it is a 400 like any other bad cursor.
 */
export function decodeCursor(
  cursor: string,
  partition: { attribute: string; value: string },
  query?: { indexName?: string | undefined },
): Record<string, string> {
  const invalid = () => new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'use nextCursor from the previous page' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed as Record<string, unknown>);
  const allowed = /^(PK|SK|GSI[12]PK|GSI[12]SK)$/;
  if (entries.length === 0 || entries.length > 4 || entries.some(([k, v]) => !allowed.test(k) || typeof v !== 'string')) throw invalid();
  const key = parsed as Record<string, string>;
  if (key[partition.attribute] !== partition.value) throw invalid();
  if (query) {
    const expected = ['PK', 'SK', ...(query.indexName ? [`${query.indexName}PK`, `${query.indexName}SK`] : [])].sort();
    if (JSON.stringify(Object.keys(key).sort()) !== JSON.stringify(expected)) throw invalid();
  }
  return key;
}
