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

export interface TtlSweeper {
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
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: { '#ttl': timeToLiveAttribute, '#pk': partitionKey, '#sk': sortKey },
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const key of page.Items ?? []) {
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
