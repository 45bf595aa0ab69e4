/**
 * What the local stack hands to the functions and local-only routes it wires up. Its own module,
 * below local/functions.ts and the stand-ins it lists, so that neither imports the other for a type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserDirectory } from '../lambdas/identity/user-directory.js';
import type { Clock } from '../lambdas/shared/clock.js';
import type { Db } from '../lambdas/shared/data/db.js';
import type { Logger } from '../lambdas/shared/logger.js';
import type { LocalAuditEngine } from './duckdb-audit-engine.js';
import type { LocalScheduler } from './scheduler.js';

export interface LocalDeps {
  db: Db;
  clock: Clock;
  logger: (service: string) => Logger;
  /** The local user pool through Cognito's API (passwords issued at once). */
  directory: UserDirectory;
  /** Origins the functions add CORS headers for. */
  corsAllowOrigins: readonly string[];
  /** The state folder (`.carestack/`), for local stand-ins that keep files. */
  dataDir: string;
  /** The REST API's base URL, for local stand-ins that hand out URLs. */
  apiUrl: () => string;
  /** The local EventBridge Scheduler on the virtual clock (`clock`). */
  scheduler: LocalScheduler;
  /** Athena's stand-in: DuckDB over the local audit store (local/duckdb-audit-engine.ts). */
  auditEngine: LocalAuditEngine;
  /**
   * One sweep of the local TTL process (local/ttl-sweeper.ts): `POST /_local/clock` runs it after
   * moving the clock, as DynamoDB TTL would have acted in the time skipped.
   * @default - nothing is swept on a clock move (the sweeper's own interval still runs)
   */
  sweepTtl?: () => Promise<unknown>;
}

/** A local-only HTTP route (tried before the route table); answers true when it handled the request. */
export type LocalRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
