import { describe, expect, it } from 'vitest';
import { concurrentWaves } from '../../../bench/lib/load.js';

/** The benchmark's raw replay must make the route's DynamoDB calls as the route made them. */
describe('concurrentWaves (bench raw replay)', () => {
  const call = (sentAt: number, answeredAt: number) => ({ sentAt, answeredAt });

  it('keeps calls made one after another in order, one per wave', () => {
    expect(concurrentWaves([call(0, 3), call(3.1, 5), call(6, 9)])).toEqual([[0], [1], [2]]);
  });

  it('groups calls sent while the others were in flight, as Promise.all made them', () => {
    // GetItem (membership) and GetItem (patient) together, then the PutItem of the access record.
    expect(concurrentWaves([call(0, 3), call(0.2, 2.5), call(3.2, 6)])).toEqual([[0, 1], [2]]);
  });

  it('orders by send time, whatever order the capture listed them in', () => {
    expect(concurrentWaves([call(5, 8), call(0, 2), call(0.1, 1.5)])).toEqual([[1, 2], [0]]);
  });

  it('starts a new wave when a call follows the end of any call of the current one', () => {
    // The third call was sent after the second ended: it awaited the second, not a Promise.all.
    expect(concurrentWaves([call(0, 10), call(1, 2), call(3, 12)])).toEqual([[0, 1], [2]]);
  });
});
