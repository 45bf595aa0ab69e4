import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError } from '../errors.js';
import type { Db, TransactItem, TransactParts } from './db.js';
import { TransactionCancelledError } from './transaction-failures.js';
import { IdempotencyRecordEntity } from './entities.js';
import { actorAttributes, type WriteContext } from './write-context.js';

/** `Idempotency-Key` replays last 24 hours (API.md, "Conventions"). */
const TTL_SECONDS = 24 * 60 * 60;
/** The idempotency record's name among the create's transaction parts. */
const RECORD = 'idempotencyRecord';

export interface IdempotencyRequest {
  /** sha256 of the client's key. */
  keyHash: string;
  /** sha256 of the route and the canonical body: the same key with another body is a misuse. */
  requestHash: string;
}

export function idempotencyRequest(key: string, routeKey: string, body: unknown): IdempotencyRequest {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  return { keyHash: sha(key), requestHash: sha(`${routeKey}\n${canonicalJson(body)}`) };
}

/** JSON with sorted object keys, so `{a,b}` and `{b,a}` hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

type Stored = { requestHash: string; response: unknown; expiresAt: number };

/**
 * Creating writes with `Idempotency-Key`: the idempotency record is one more item of the create's
 * own transaction, so exactly one of any number of parallel requests with the key creates anything;
 * the others find the record and replay its response (or get 422 for another body).
 */
export class Idempotency {
  constructor(private readonly db: Db) {}

  /**
   * The stored response of an earlier request with this key, if any (422 when the body differs).
   * Without a key there is nothing to replay.
   */
  async replay(ctx: WriteContext, req: IdempotencyRequest | undefined): Promise<{ response: unknown } | undefined> {
    if (!req) return undefined;
    const stored = await this.db.get<Stored>(IdempotencyRecordEntity.key(ctx.orgId, ctx.actorId, req.keyHash), true);
    if (!stored || stored.expiresAt <= nowSeconds(ctx)) return undefined;
    if (stored.requestHash !== req.requestHash) throw new IdempotencyKeyReusedError();
    return { response: stored.response };
  }

  /**
   * Runs the create's transaction with the idempotency record added (when a key was given).
   * Answers the response to return: the new one, or the first request's on a replay.
   */
  async run<T>(ctx: WriteContext, req: IdempotencyRequest | undefined, parts: TransactParts, response: T): Promise<T> {
    if (!req) {
      await this.db.transact(parts);
      return response;
    }
    if (RECORD in parts) throw new Error(`"${RECORD}" is the idempotency record's part`);
    const record = this.recordPart(ctx, req, response)[RECORD];
    try {
      await this.db.transact({ ...parts, [RECORD]: record });
      return response;
    } catch (err) {
      if (err instanceof TransactionCancelledError && err.failed(RECORD)) {
        const earlier = await this.replay(ctx, req);
        if (earlier) return earlier.response as T;
      }
      throw err;
    }
  }

  /**
   * The idempotency record as a named part, for creates whose transaction someone else runs (a
   * calendar booking): spread it into the parts; when `err.failed(IDEMPOTENCY_RECORD_PART)`, the key
   * was used first by another request, whose response `replay` returns.
   */
  recordPart(ctx: WriteContext, req: IdempotencyRequest, response: unknown): { [RECORD]: TransactItem } {
    return {
      [RECORD]: this.db.put(
        {
          ...IdempotencyRecordEntity.key(ctx.orgId, ctx.actorId, req.keyHash),
          entityType: IdempotencyRecordEntity.entityType,
          orgId: ctx.orgId,
          requestHash: req.requestHash,
          response,
          expiresAt: nowSeconds(ctx) + TTL_SECONDS,
          createdAt: ctx.now,
          ...actorAttributes(ctx),
        },
        {
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds(ctx) },
        },
      ),
    };
  }
}

/** The part name of the idempotency record in a transaction (`recordPart`). */
export const IDEMPOTENCY_RECORD_PART = RECORD;

const nowSeconds = (ctx: WriteContext) => Math.floor(Date.parse(ctx.now) / 1000);
