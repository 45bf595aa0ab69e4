import type { Db } from '../shared/data/db.js';
import { Idempotency, type IdempotencyRequest } from '../shared/data/idempotency.js';
import type { WriteContext } from '../shared/data/write-context.js';

/** What each concierge repository starts from: the table, and the idempotency records its creating writes keep. */
export abstract class ConciergeStore {
  protected readonly idempotency: Idempotency;

  constructor(protected readonly db: Db) {
    this.idempotency = new Idempotency(db);
  }

  /** The answer of an earlier request with the same Idempotency-Key, if there was one. */
  replay(ctx: WriteContext, idem: IdempotencyRequest | undefined) {
    return this.idempotency.replay(ctx, idem);
  }
}
