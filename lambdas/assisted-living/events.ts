import type { EventRule } from '../events/event-map.js';

/**
 * Assisted living: incident events reach `onPatientEvent` subscribers of the incident's patient (the
 * item carries `patientId`); the notifications rules table turns the same events into inbox items.
 */
export const ASSISTED_LIVING_EVENT_RULES: Record<string, EventRule> = {
  Incident: { INSERT: 'IncidentReported', MODIFY: 'IncidentUpdated' },
};
