import type { EventRule } from '../shared/events/event-rule.js';

/**
 * Assisted living: incident events reach `onPatientEvent` subscribers of the incident's patient (the
 * item carries `patientId`); the notifications rules table turns the same events into inbox items.
 * The one change that is not an `IncidentUpdated`: the deadline mark (`overdueNotifiedAt`, set once
 * by the scheduled deadline, deadline-work.ts) is `IncidentReportOverdue`.
 */
export const ASSISTED_LIVING_EVENT_RULES: Record<string, EventRule> = {
  Incident: {
    INSERT: 'IncidentReported',
    MODIFY: 'IncidentUpdated',
    typeFor: (change) => {
      if (change.eventName === 'INSERT') return 'IncidentReported';
      if (change.eventName !== 'MODIFY') return undefined;
      const marked = change.newImage?.overdueNotifiedAt !== undefined && change.oldImage?.overdueNotifiedAt === undefined;
      return marked ? 'IncidentReportOverdue' : 'IncidentUpdated';
    },
  },
};
