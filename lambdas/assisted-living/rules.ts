import type { IncidentCategory, IncidentSeverity, IncidentStatus } from '../../schemas/assisted-living.js';
import { aheadOfServer } from '../shared/scheduling/timing.js';

const HOUR = 60 * 60 * 1000;

/**
 * When the incident must have been reported to the regulator: occurredAt + 2 h when it is critical
 * or abuse is suspected, + 24 h when it is high, otherwise no deadline (API.md).
 */
export function reportDueBy(category: IncidentCategory, severity: IncidentSeverity, occurredAt: string): string | null {
  const at = Date.parse(occurredAt);
  if (severity === 'critical' || category === 'abuse_suspected') return new Date(at + 2 * HOUR).toISOString();
  if (severity === 'high') return new Date(at + 24 * HOUR).toISOString();
  return null;
}

/** Not resolved and past its deadline, at `now` (computed at read time, never stored). */
export function isOverdue(incident: { status: IncidentStatus; reportDueBy: string | null }, now: Date): boolean {
  return incident.status !== 'resolved' && incident.reportDueBy !== null && now.getTime() > Date.parse(incident.reportDueBy);
}

/** open -> investigating -> resolved, open -> resolved; resolved is final. */
const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['investigating', 'resolved'],
  investigating: ['resolved'],
  resolved: [],
};

/** Whether a change from `from` to `to` is allowed; staying in a non-final status is no transition. */
export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  if (from === 'resolved') return false;
  return from === to || NEXT[from].includes(to);
}

/** An incident may be reported at most the device-clock tolerance ahead of the server clock. */
export const occurredTooLate = (occurredAt: string, now: Date): boolean => aheadOfServer(occurredAt, now);

/** The audit verb of a status change (the audit row's `action`). */
export const AUDIT_VERB: Record<IncidentStatus, string> = { open: 'update', investigating: 'investigate', resolved: 'resolve' };
