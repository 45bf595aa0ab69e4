/**
 * Reading a cancelled transaction by the names of its parts (`TransactParts`), and the one way a
 * repository turns a failed part into the contract's error (`FailureMap`). Apart from db.ts, which
 * holds the SDK client: a repository reads a cancellation without importing it, so code that only
 * builds repositories (a domain's scheduled jobs) carries no SDK until a Db is made.
 */

/** Why a transaction was cancelled, one entry per item in request order, with its part's name. */
export class TransactionCancelledError extends Error {
  constructor(readonly reasons: ReadonlyArray<{ part: string; code: string; item?: Record<string, unknown> }>) {
    super(`Transaction cancelled: ${reasons.map((r) => r.code).join(',')}`);
    this.name = 'TransactionCancelledError';
  }
  /** Whether the condition of `part` (of any of its items) failed. */
  failed(part: string): boolean {
    return this.reasons.some((r) => r.part === part && r.code === 'ConditionalCheckFailed');
  }
  /** Whether any condition failed (else it was cancelled by conflicts alone). */
  get conditionFailed(): boolean {
    return this.reasons.some((r) => r.code === 'ConditionalCheckFailed');
  }
}

/**
 * Which of the named `parts` of a cancelled transaction failed its condition (the first in the
 * order given), or undefined for any other error: what a repository switches on to turn a failed
 * part into a domain error (`case 'profile': throw new VersionConflictError()`).
 */
export function failedPart<N extends string>(err: unknown, parts: readonly N[]): N | undefined {
  return err instanceof TransactionCancelledError ? parts.find((p) => err.failed(p)) : undefined;
}

/**
 * What each named part's failed condition means: the contract's error to throw. The first part, in
 * the map's order, whose condition failed wins; a failure the map does not name (a race another
 * part retries, a conflict) is thrown as it is. The repository that builds a transaction holds its
 * map; services never see a transaction.
 */
export type FailureMap = Readonly<Partial<Record<string, () => Error>>>;

/** The error a cancelled transaction means by `map`, or undefined (not a cancellation, or no part it names failed). */
export function explainFailure(err: unknown, map: FailureMap): Error | undefined {
  const part = failedPart(err, Object.keys(map));
  return part === undefined ? undefined : map[part]?.();
}

/** Runs a write; a cancellation is thrown as the error `map` gives its failed part, anything else as it is. */
export async function mapFailures<T>(map: FailureMap, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw explainFailure(err, map) ?? err;
  }
}
