/** "Now", passed in so the local stack can run a virtual clock and tests can fix time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
