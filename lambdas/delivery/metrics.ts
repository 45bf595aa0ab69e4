import type { Channel } from './repository.js';

export type Outcome = 'sent' | 'held' | 'failed' | 'skipped';
export const OUTCOMES: readonly Outcome[] = ['sent', 'held', 'failed', 'skipped'];

/** Per-channel counts of one invocation: logged as fields, and emitted as EMF metrics on AWS. */
export type DeliveryCounts = Record<Channel, Record<Outcome, number>>;

export const emptyCounts = (): DeliveryCounts => ({
  email: { sent: 0, held: 0, failed: 0, skipped: 0 },
  sms: { sent: 0, held: 0, failed: 0, skipped: 0 },
  push: { sent: 0, held: 0, failed: 0, skipped: 0 },
});

/** Where the counts go besides the log (Powertools Metrics on AWS; nothing locally). */
export interface DeliveryMetrics {
  publish(counts: DeliveryCounts): void;
}
