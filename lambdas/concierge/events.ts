import type { EventRule } from '../shared/events/event-rule.js';

/** The provider of an appointment: its events also reach them on `onMyEvent`. */
const provider = (image: Record<string, unknown>) => (typeof image.providerId === 'string' ? [image.providerId] : []);

/**
 * Medical concierge: events of its entities reach `onPatientEvent` subscribers of the patient (the
 * items carry `patientId`), appointment events also the provider (`recipients`).
 * - Appointment: `AppointmentBooked`; a notice's conditional mark (notices.ts) is `AppointmentReminder`;
 *   any other change `AppointmentUpdated`.
 * - LabResult: `LabResultPublished` when it becomes final or corrected (a preliminary result makes no
 *   event: the patient and family may not see it), `LabResultUpdated` after.
 * - LabResultAlert (a critical result's alert): `LabResultCritical` when it appears, and
 *   `LabResultCriticalUnacknowledged` when the escalation marks it.
 * - TreatmentPlan: `TreatmentPlanUpdated`.
 */
export const CONCIERGE_EVENT_RULES: Record<string, EventRule> = {
  // INSERT/MODIFY name the usual events for the documents; `typeFor` decides.
  Appointment: {
    INSERT: 'AppointmentBooked',
    MODIFY: 'AppointmentUpdated',
    recipients: provider,
    typeFor: (change) => {
      if (change.eventName === 'INSERT') return 'AppointmentBooked';
      if (change.eventName !== 'MODIFY') return undefined;
      const before = change.oldImage;
      const after = change.newImage;
      const noticed = after?.notice24hFor !== before?.notice24hFor || after?.notice1hFor !== before?.notice1hFor;
      return noticed && after?.version === before?.version ? 'AppointmentReminder' : 'AppointmentUpdated';
    },
  },
  LabResult: {
    INSERT: 'LabResultPublished',
    MODIFY: 'LabResultUpdated',
    typeFor: (change) => {
      const after = change.newImage;
      if (change.eventName === 'REMOVE' || !after) return undefined;
      const published = after.status === 'final' || after.status === 'corrected';
      if (change.eventName === 'INSERT') return published ? 'LabResultPublished' : undefined;
      if (!published) return undefined;
      return change.oldImage?.status === 'preliminary' ? 'LabResultPublished' : 'LabResultUpdated';
    },
  },
  LabResultAlert: {
    INSERT: 'LabResultCritical',
    MODIFY: 'LabResultCriticalUnacknowledged',
    typeFor: (change) => {
      if (change.eventName === 'INSERT') return 'LabResultCritical';
      if (change.eventName !== 'MODIFY') return undefined;
      return change.newImage?.escalatedAt !== undefined && change.oldImage?.escalatedAt === undefined ? 'LabResultCriticalUnacknowledged' : undefined;
    },
  },
  TreatmentPlan: { INSERT: 'TreatmentPlanUpdated', MODIFY: 'TreatmentPlanUpdated' },
};
