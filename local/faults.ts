/**
 * Fault injection for the local stack (never part of the CDK app): makes the audit function fail a
 * share of its stream batches so the poller redelivers them as Lambda would, to show that every
 * change still reaches the audit store exactly once (test/trust/audit-faults.test.ts).
 *
 * A failing batch fails the way S3 does: some puts of the batch succeed (its plan in the journal,
 * some audit objects), then every put fails, on every retry within that invocation; or, as a
 * function error, the invocation throws before it writes anything.
 */
import type { AuditJournal, AuditSink } from '../lambdas/shared/audit/audit-event.js';
import type { EventPublisher } from '../lambdas/shared/events/care-event.js';

/**
 * Outages switched on and off while the stack runs (test/integration/local/stream-outage.test.ts):
 * while `audit` is on, every put to the audit store and its journal fails; while `events` is on,
 * every publish to the bus fails. Longer than the consumers' retries, they send batches to the
 * failures queues, as an S3 or EventBridge outage would on AWS.
 */
export interface Outages {
  audit: boolean;
  events: boolean;
}

/** The events function's publisher, failing while `outages.events` is on. */
export function eventsFaults(publisher: EventPublisher, outages: Outages): EventPublisher {
  return {
    async publish(events) {
      if (outages.events) throw new Error('injected outage: the bus refused the events');
      return publisher.publish(events);
    },
  };
}

export interface FaultOptions {
  /** Share (0..1) of audit batches that fail. @default 0, or CARESTACK_FAULTS_AUDIT_FAIL_SHARE */
  readonly auditFailShare?: number;
  /** @default Math.random */
  readonly random?: () => number;
}

/** The options from the environment (`CARESTACK_FAULTS_AUDIT_FAIL_SHARE=0.2`), merged under `given`. */
export function faultsFromEnv(given: FaultOptions = {}, env: NodeJS.ProcessEnv = process.env): FaultOptions {
  const raw = env.CARESTACK_FAULTS_AUDIT_FAIL_SHARE;
  if (given.auditFailShare !== undefined || raw === undefined || raw === '') return given;
  const share = Number(raw);
  if (!(share >= 0 && share <= 1)) throw new Error(`CARESTACK_FAULTS_AUDIT_FAIL_SHARE must be 0..1; got ${JSON.stringify(raw)}`);
  return { ...given, auditFailShare: share };
}

export interface FaultCounters {
  batches: number;
  failedBatches: number;
}

/**
 * Wraps the audit function's sink and handler: `arm()` before each invocation decides whether it
 * fails, and how. While `outages.audit` is on, every put fails.
 */
export function auditFaults(stores: { sink: AuditSink; journal: AuditJournal }, options: FaultOptions, outages: Outages = { audit: false, events: false }) {
  const share = options.auditFailShare ?? 0;
  const random = options.random ?? Math.random;
  const counters: FaultCounters = { batches: 0, failedBatches: 0 };
  /** Puts still allowed in this invocation; undefined: no fault. */
  let allowedPuts: number | undefined;

  const faultyPut = (store: AuditSink) => async (key: string, body: Uint8Array) => {
    if (outages.audit) throw new Error(`injected outage: put of ${key} failed`);
    if (allowedPuts !== undefined) {
      if (allowedPuts <= 0) throw new Error(`injected fault: put of ${key} failed`);
      allowedPuts -= 1;
    }
    return store.put(key, body);
  };
  const { sink, journal } = stores;

  return {
    sink: { put: faultyPut(sink) } satisfies AuditSink,
    journal: { put: faultyPut(journal), keysAfter: (after, limit) => journal.keysAfter(after, limit), get: (key) => journal.get(key) } satisfies AuditJournal,
    counters,
    wrap<E, R>(handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
      if (share <= 0) return handler;
      return async (event) => {
        counters.batches += 1;
        allowedPuts = undefined;
        // Exactly `share` of the invocations fail (every fifth at 0.2), in a random way each.
        if (Math.floor(counters.batches * share) > Math.floor((counters.batches - 1) * share)) {
          counters.failedBatches += 1;
          // A fifth fail as a function error before any write; the rest after one stored object
          // (half of them: the plan only) or 2..4 (the plan and some audit objects): the cases
          // where a redelivery cut at other records could store some records twice.
          if (random() < 0.2) throw new Error('injected fault: audit function error');
          allowedPuts = random() < 0.5 ? 1 : 2 + Math.floor(random() * 3);
        }
        try {
          return await handler(event);
        } finally {
          allowedPuts = undefined;
        }
      };
    },
  };
}
