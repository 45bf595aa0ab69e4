/**
 * The local stack's wiring of each API function: how its handler is built from local dependencies.
 * The AWS wiring of the same factory is the function's `handler.ts`. A domain adds one entry.
 */
import type { ApiFunctionId } from '../lambdas/functions.js';
import { createIdentityHandler } from '../lambdas/identity/app.js';
import type { UserDirectory } from '../lambdas/identity/user-directory.js';
import type { Clock } from '../lambdas/shared/clock.js';
import type { Db } from '../lambdas/shared/data/db.js';
import type { ApiHandler } from '../lambdas/shared/http/api.js';
import type { Logger } from '../lambdas/shared/logger.js';

export interface LocalDeps {
  db: Db;
  clock: Clock;
  logger: (service: string) => Logger;
  /** The local user pool through Cognito's API (passwords issued at once). */
  directory: UserDirectory;
  /** Origins the functions add CORS headers for. */
  corsAllowOrigins: readonly string[];
}

export const LOCAL_API_FUNCTIONS: Record<ApiFunctionId, (deps: LocalDeps) => ApiHandler> = {
  identity: (d) =>
    createIdentityHandler({ db: d.db, directory: d.directory, clock: d.clock, logger: d.logger('identity'), corsAllowOrigins: d.corsAllowOrigins }),
};

export function buildApiHandlers(deps: LocalDeps): Record<ApiFunctionId, ApiHandler> {
  return Object.fromEntries(
    Object.entries(LOCAL_API_FUNCTIONS).map(([id, build]) => [id, build(deps)]),
  ) as Record<ApiFunctionId, ApiHandler>;
}
