import { Calendars, type CalendarChange, type CalendarWindow } from '../shared/calendar/calendar-repository.js';
import type { Db, Item, TransactParts } from '../shared/data/db.js';
import { explainFailure, TransactionCancelledError, type FailureMap } from '../shared/data/transaction-failures.js';
import { Idempotency, IDEMPOTENCY_RECORD_PART, type IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';

/**
 * How every home-health repository commits: named parts (+ the idempotency record), or named parts
 * together with an aide booking on the shared calendar (`Calendars.book`), a failed condition
 * mapped through the repository's `FailureMap` (lambdas/shared/data/transaction-failures.ts: the
 * repositories say what a failure of each part means; the services never see a transaction). A failure no map names (a care-team link raced,
 * `CareTeamWrites` retries it) is thrown as it is.
 */
export class Transactions {
  private readonly idempotency: Idempotency;
  readonly calendars: Calendars;

  constructor(db: Db) {
    this.idempotency = new Idempotency(db);
    this.calendars = new Calendars(db);
  }

  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }

  /** Runs the named parts (+ the idempotency record), mapping a failed condition through `explain`. */
  async commit<T>(ctx: WriteContext, parts: TransactParts, response: T, explain: FailureMap, idem?: IdempotencyRequest): Promise<T> {
    try {
      return await this.idempotency.run(ctx, idem, parts, response);
    } catch (err) {
      throw explainFailure(err, explain) ?? err;
    }
  }

  /**
   * Books aide time (lambdas/shared/visits/aide-calendar.ts) together with the named
   * `parts(windows)` in one transaction; a failed condition of our own parts goes through
   * `explain`, a reused Idempotency-Key replays.
   */
  async book<T>(
    ctx: WriteContext,
    changes: readonly CalendarChange[],
    parts: (windows: CalendarWindow[]) => TransactParts,
    response: T,
    explain: FailureMap,
    idem?: IdempotencyRequest,
  ): Promise<T> {
    try {
      return await this.calendars.book(
        ctx,
        changes,
        (windows) => ({ ...parts(windows), ...(idem ? this.idempotency.recordPart(ctx, idem, response) : {}) }),
        () => response,
      );
    } catch (err) {
      if (idem && err instanceof TransactionCancelledError && err.failed(IDEMPOTENCY_RECORD_PART)) {
        const earlier = await this.idempotency.replay(ctx, idem);
        if (earlier) return earlier.response as T;
      }
      throw explainFailure(err, explain) ?? err;
    }
  }
}

/** The stored attributes that make up a record, as stored. */
export const pick = (item: Item, fields: readonly string[]): Item => Object.fromEntries(fields.filter((f) => item[f] !== undefined).map((f) => [f, item[f]]));
