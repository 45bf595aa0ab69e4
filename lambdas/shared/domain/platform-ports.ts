import type { AuditQueryEngine } from '../audit/query-engine.js';
import type { Clock } from '../clock.js';
import type { Db } from '../data/db.js';
import type { FhirMappings } from '../fhir/mapping.js';
import type { Logger } from '../logger.js';
import type { AttachmentStore } from '../ports/attachment-store.js';
import type { UserDirectory } from '../ports/user-directory.js';
import type { Scheduler } from '../scheduling/scheduler.js';

/**
 * Every port a domain function may be built with. A domain's factory takes the part it needs (its
 * own `XDeps`, a subset of this), so one bag of ports builds every domain: the local stack makes
 * one per function with its stand-ins (local/functions.ts); each AWS entry builds only its own.
 */
export interface PlatformPorts {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Web origins the function's responses allow (CORS). */
  corsAllowOrigins?: readonly string[];
  /** EventBridge Scheduler on AWS, the local scheduler on the virtual clock locally. */
  scheduler: Scheduler;
  /** Cognito's admin API (the local pool locally). */
  directory: UserDirectory;
  /** S3 behind presigned URLs (signed local files locally). */
  attachments: AttachmentStore;
  /** Athena (DuckDB over the local audit store locally). */
  auditEngine: AuditQueryEngine;
  /** Whether invitations are emailed (through the delivery function: SES on AWS, the outbox locally). */
  invitationEmails: boolean;
  /** Every notification type the platform knows (what `mutedTypes` may name). */
  notificationTypes: ReadonlySet<string>;
  /** Every domain's FHIR mapping (lambdas/registry.ts, FHIR_MAPPINGS): the records export's. */
  fhir: FhirMappings;
}
