import { randomUUID } from 'node:crypto';
import { EVENT_SOURCE, type CareEvent, type EventPublisher } from '../lambdas/shared/events/care-event.js';

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** A JSON object, as a string. */
  Detail: string;
  /** @default - 'default' */
  EventBusName?: string;
  Time?: Date;
  Resources?: string[];
}

/** What a rule's target receives: the EventBridge event envelope. */
export interface BusEvent<Detail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, as EventBridge writes it. */
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

export interface EventPattern {
  source?: readonly string[];
  'detail-type'?: readonly string[];
}

export interface BusRule {
  name: string;
  pattern: EventPattern;
  target: (event: BusEvent) => Promise<void>;
  /** @default - 'default' */
  eventBusName?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
}

export interface DeadLetter {
  rule: string;
  event: BusEvent;
  error: unknown;
}

export interface LocalBus {
  /** EventBridge's PutEvents: 1 to 10 entries; delivery happens afterwards, in put order per rule. */
  putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult>;
  addRule(rule: BusRule): void;
  removeRule(name: string): void;
  /** Resolves once every delivery in flight (and any it caused) has finished. */
  drain(): Promise<void>;
  /** Events whose target still failed after the retries (a rule's dead-letter queue). */
  readonly deadLetters: readonly DeadLetter[];
}

export interface LocalBusOptions {
  /** @default - 'us-east-1' */
  region?: string;
  /** @default - '000000000000' */
  account?: string;
  /** Attempts per target, the first included. @default - 3 */
  maxAttempts?: number;
  /** Delay before the first retry, doubled for each next one. @default - 100 ms */
  retryDelayMs?: number;
  /** @default - console */
  logger?: Pick<Console, 'error'>;
}

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

/** EventBridge matching for the pattern keys CareStack uses: each listed field must equal one of its values. */
export const matchesPattern = (pattern: EventPattern, event: Pick<BusEvent, 'source' | 'detail-type'>): boolean =>
  (pattern.source === undefined || pattern.source.includes(event.source)) &&
  (pattern['detail-type'] === undefined || pattern['detail-type'].includes(event['detail-type']));

/**
 * An in-process EventBridge bus. `putEvents` answers once the entries are accepted; matching
 * rules' targets run afterwards, each rule's target receiving events in the order they were put
 * (stricter than EventBridge, which does not promise order). A failing target is retried with
 * backoff and, when it keeps failing, logged and kept in `deadLetters`.
 */
export function createLocalBus(options: LocalBusOptions = {}): LocalBus {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const log = options.logger ?? console;
  const rules = new Map<string, BusRule>();
  const inFlight = new Set<Promise<void>>();
  const deadLetters: DeadLetter[] = [];

  async function deliver(rule: BusRule, event: BusEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await rule.target(event);
        return;
      } catch (error) {
        if (attempt >= maxAttempts) {
          log.error(`[bus] rule ${rule.name}: target failed ${attempt} times for ${event['detail-type']} ${event.id}; sent to its dead-letter queue`, error);
          deadLetters.push({ rule: rule.name, event, error });
          return;
        }
        await new Promise((r) => setTimeout(r, retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** One queue per rule: a rule's target sees events in the order they were put, and a failing target delays only its own rule. */
  const queues = new Map<string, Promise<void>>();
  function enqueue(rule: BusRule, event: BusEvent): void {
    const next = (queues.get(rule.name) ?? Promise.resolve()).then(() => deliver(rule, event));
    queues.set(rule.name, next);
    inFlight.add(next);
    void next.finally(() => {
      inFlight.delete(next);
      if (queues.get(rule.name) === next) queues.delete(rule.name);
    });
  }

  return {
    async putEvents(entries) {
      if (entries.length < 1 || entries.length > MAX_ENTRIES) {
        throw new Error(`putEvents takes 1 to ${MAX_ENTRIES} entries, got ${entries.length}`);
      }
      const accepted: { event: BusEvent; bus: string }[] = [];
      const result: PutEventsResult = { FailedEntryCount: 0, Entries: [] };
      for (const entry of entries) {
        let detail: unknown;
        try {
          detail = JSON.parse(entry.Detail);
        } catch {
          detail = undefined;
        }
        const size = Buffer.byteLength(entry.Detail) + Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType);
        const problem =
          !entry.Source || !entry.DetailType
            ? ['InvalidArgument', 'Source and DetailType are required']
            : typeof detail !== 'object' || detail === null || Array.isArray(detail)
              ? ['MalformedDetail', 'Detail is malformed.']
              : size > MAX_ENTRY_BYTES
                ? ['InvalidArgument', 'Entry size exceeds 256 KB']
                : undefined;
        if (problem) {
          result.FailedEntryCount++;
          result.Entries.push({ ErrorCode: problem[0]!, ErrorMessage: problem[1]! });
          continue;
        }
        const event: BusEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType,
          source: entry.Source,
          account,
          time: (entry.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region,
          resources: entry.Resources ?? [],
          detail: detail as Record<string, unknown>,
        };
        accepted.push({ event, bus: entry.EventBusName ?? 'default' });
        result.Entries.push({ EventId: event.id });
      }

      // EventBridge delivers after PutEvents has answered: on a later turn of the event loop.
      const scheduled = new Promise<void>((resolve) =>
        setImmediate(() => {
          for (const { event, bus } of accepted) {
            for (const rule of rules.values()) {
              if ((rule.eventBusName ?? 'default') === bus && matchesPattern(rule.pattern, event)) enqueue(rule, event);
            }
          }
          resolve();
        }),
      );
      inFlight.add(scheduled);
      void scheduled.finally(() => inFlight.delete(scheduled));
      return result;
    },

    addRule(rule) {
      if (rules.has(rule.name)) throw new Error(`A rule named ${rule.name} already exists`);
      rules.set(rule.name, rule);
    },

    removeRule(name) {
      rules.delete(name);
    },

    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },

    deadLetters,
  };
}

/**
 * The EventBridge detail of a CareEvent: the event itself with `data` as a JSON string, the
 * AWSJSON the rule hands to AppSync's `publish` mutation.
 */
export const careEventDetail = (event: CareEvent): Record<string, unknown> => ({
  ...event,
  data: event.data === undefined || event.data === null ? null : JSON.stringify(event.data),
});

/** The CareEvent back from a bus event's detail (what the rule's AppSync target receives). */
export function careEventFromDetail(detail: Record<string, unknown>): CareEvent {
  const { data, ...rest } = detail as unknown as Omit<CareEvent, 'data'> & { data?: string | null };
  return { ...rest, data: typeof data === 'string' ? (JSON.parse(data) as Record<string, unknown>) : null };
}

/** The local EventPublisher: each CareEvent becomes a `carestack` entry of its type, 10 per call. */
export function createBusPublisher(bus: Pick<LocalBus, 'putEvents'>, options: { eventBusName?: string } = {}): EventPublisher {
  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += MAX_ENTRIES) {
        const entries = events.slice(i, i + MAX_ENTRIES).map((event) => ({
          Source: EVENT_SOURCE,
          DetailType: event.type,
          Detail: JSON.stringify(careEventDetail(event)),
          ...(options.eventBusName ? { EventBusName: options.eventBusName } : {}),
        }));
        const result = await bus.putEvents(entries);
        if (result.FailedEntryCount > 0) {
          throw new Error(`The bus refused ${result.FailedEntryCount} of ${entries.length} events: ${JSON.stringify(result.Entries.filter((e) => 'ErrorCode' in e))}`);
        }
      }
    },
  };
}
