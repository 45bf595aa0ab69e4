/**
 * The local stand-in for DynamoDB's TTL process: DynamoDB Local accepts a TTL setting but never
 * expires anything, so this deletes items whose `expiresAt` (epoch seconds) has passed.
 *
 * It scans the whole table. That is fine here and only here: it plays the part of AWS's own
 * background process on a laptop-sized table; runtime code never scans.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { TABLE_DEFINITION } from '../lib/table-definition.js';

export interface TtlSweeperOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The stack's clock, so a virtual clock expires items too. */
  readonly clock: { now(): Date };
  /**
   * Pause between sweeps.
   * @default 1000
   */
  readonly intervalMs?: number;
  /** @default console */
  readonly logger?: Pick<Console, 'warn'>;
}

/** How DynamoDB names itself on the stream records of its TTL deletions. */
export const TTL_SERVICE_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

export interface TtlSweeper {
  /**
   * The identity of a stream record's change if this sweeper made it (a REMOVE of an item it
   * deleted): what DynamoDB's own TTL deletions carry on AWS, so the audit trail and the retention
   * consumer tell them apart from a user's delete. For the stream poller's `userIdentityOf`.
   */
  userIdentityOf(record: _Record): typeof TTL_SERVICE_IDENTITY | undefined;
  start(): void;
  /** Stops, after the sweep in flight if any. */
  stop(): Promise<void>;
  /** One sweep now; resolves with the number of items deleted. */
  sweepOnce(): Promise<number>;
}

const { partitionKey, sortKey, timeToLiveAttribute } = TABLE_DEFINITION;

export function createTtlSweeper(options: TtlSweeperOptions): TtlSweeper {
  const { client, tableName, clock } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const logger = options.logger ?? console;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  // The items it deleted, by key and the version and writer stamp of what was deleted (a later item
  // under the same key differs in them): oldest first, a bounded memory of recent deletions.
  const deletions = new Set<string>();
  const MAX_REMEMBERED = 50_000;
  const mark = (image: Record<string, AttributeValue> | undefined) =>
    image ? [image[partitionKey]?.S, image[sortKey]?.S, image.version?.N, image.updatedAt?.S, image.requestId?.S].join('\u0000') : '';

  async function sweepOnce(): Promise<number> {
    const now = { N: String(Math.floor(clock.now().getTime() / 1000)) };
    let deleted = 0;
    let exclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          // A Number comparison: like DynamoDB TTL, items whose attribute is not a number never expire.
          FilterExpression: '#ttl <= :now',
          ProjectionExpression: '#pk, #sk, #v, #u, #r',
          ExpressionAttributeNames: { '#ttl': timeToLiveAttribute, '#pk': partitionKey, '#sk': sortKey, '#v': 'version', '#u': 'updatedAt', '#r': 'requestId' },
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const found of page.Items ?? []) {
        const key = { [partitionKey]: found[partitionKey]!, [sortKey]: found[sortKey]! };
        // Marked before the delete: the stream record may be read before DeleteItem answers.
        const marker = mark(found);
        deletions.add(marker);
        if (deletions.size > MAX_REMEMBERED) deletions.delete(deletions.values().next().value!);
        try {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: key,
              // The item may have been renewed since the scan read it.
              ConditionExpression: '#ttl <= :now',
              ExpressionAttributeNames: { '#ttl': timeToLiveAttribute },
              ExpressionAttributeValues: { ':now': now },
            }),
          );
          deleted += 1;
        } catch (error) {
          deletions.delete(marker);
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey);
    return deleted;
  }

  function schedule(): void {
    timer = setTimeout(() => {
      const sweep = sweepOnce().catch((error: unknown) => {
        logger.warn(`ttl-sweeper: ${tableName}: ${error instanceof Error ? error.message : String(error)}`);
      });
      running = sweep;
      void sweep.then(() => {
        if (timer) schedule();
      });
    }, intervalMs);
  }

  return {
    userIdentityOf(record) {
      if (record.eventName !== 'REMOVE') return undefined;
      return deletions.has(mark(record.dynamodb?.OldImage)) ? TTL_SERVICE_IDENTITY : undefined;
    },
    start() {
      if (timer) return;
      schedule();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    sweepOnce,
  };
}
