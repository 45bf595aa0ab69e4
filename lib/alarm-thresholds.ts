/*
 * No CDK import here: the local stack's `GET /_local/alarms` evaluates the same thresholds.
 */
/**
 * The thresholds of every CareStack alarm, in one place; docs/operations.md gives the reason for
 * each and what to do when it fires.
 */
export const ALARM_THRESHOLDS = {
  /** A dead-letter / on-failure queue holds at least this many messages (max over 1 minute). */
  queueMessages: 1,
  /** Function errors (unhandled: crash, timeout, out of memory) in 5 minutes. */
  functionErrors: 1,
  /** Function throttles in 5 minutes. */
  functionThrottles: 1,
  /** The audit consumer's iterator age (how far the trail lags the table), ms, max over 1 minute. */
  auditIteratorAgeMs: 5 * 60_000,
  /** The events consumer's iterator age, ms: realtime events older than this are late news. */
  eventsIteratorAgeMs: 60_000,
  /**
   * The message-retention consumer's iterator age, ms: its TTL re-timing must land well inside the
   * hour of slack message TTLs carry (docs/retention.md), or a held message could be deleted.
   */
  retentionIteratorAgeMs: 15 * 60_000,
  /** Share of REST requests answered 5xx in 5 minutes (API Gateway's 5XXError average). */
  restServerErrorRate: 0.01,
  /** AppSync 5xx responses in 5 minutes (AppSync's 5XXError sum). */
  graphqlServerErrors: 1,
  /** DynamoDB throttled read and write events (table and indexes) in 5 minutes. */
  dynamoThrottles: 1,
  /** EventBridge Scheduler target errors, dropped invocations and DLQ send failures in 5 minutes. */
  schedulerTargetErrors: 1,
} as const;
