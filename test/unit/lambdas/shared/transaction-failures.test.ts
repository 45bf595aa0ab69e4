import { describe, expect, it } from 'vitest';
import { explainFailure, failedPart, mapFailures, TransactionCancelledError } from '../../../../lambdas/shared/data/transaction-failures.js';
import { ConflictError, NotFoundError } from '../../../../lambdas/shared/errors.js';

/** The one way a repository reads a cancelled transaction by part names and maps it to the contract's error. */
const cancelled = (...failed: string[]) =>
  new TransactionCancelledError([
    { part: 'patient', code: failed.includes('patient') ? 'ConditionalCheckFailed' : 'None' },
    { part: 'session', code: failed.includes('session') ? 'ConditionalCheckFailed' : 'None' },
    { part: 'budget', code: failed.includes('budget') ? 'ConditionalCheckFailed' : 'TransactionConflict' },
  ]);
const map = { patient: () => new NotFoundError('Patient not found'), session: () => new ConflictError('Changed meanwhile') };

describe('transaction failures', () => {
  it('names the first failed part in the order asked', () => {
    expect(failedPart(cancelled('session', 'patient'), ['session', 'patient'])).toBe('session');
    expect(failedPart(cancelled('budget'), ['patient', 'session'])).toBeUndefined();
    expect(failedPart(new Error('other'), ['patient'])).toBeUndefined();
  });

  it('maps a failed part to its error, the map order deciding between two', () => {
    expect(explainFailure(cancelled('session', 'patient'), map)).toEqual(new NotFoundError('Patient not found'));
    expect(explainFailure(cancelled('session'), map)).toBeInstanceOf(ConflictError);
    // A conflict alone, or a part the map does not name, is no mapped error.
    expect(explainFailure(cancelled(), map)).toBeUndefined();
    expect(explainFailure(cancelled('budget'), map)).toBeUndefined();
  });

  it('throws the mapped error, rethrows anything else as it is, and passes a result through', async () => {
    await expect(mapFailures(map, () => Promise.reject(cancelled('patient')))).rejects.toThrow(NotFoundError);
    const unnamed = cancelled('budget');
    await expect(mapFailures(map, () => Promise.reject(unnamed))).rejects.toBe(unnamed);
    const other = new Error('network');
    await expect(mapFailures(map, () => Promise.reject(other))).rejects.toBe(other);
    await expect(mapFailures(map, () => Promise.resolve(42))).resolves.toBe(42);
  });
});
