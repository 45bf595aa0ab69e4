import type { EventRule } from '../shared/events/event-rule.js';

/**
 * Medication adherence: the realtime events of its entities. A dose's event depends on what
 * changed: it appears (`DoseDue`, or `DoseLogged` for an as-needed dose), turns `missed`
 * (`DoseMissed`), or is confirmed (`DoseConfirmed`).
 */
export const MEDICATION_EVENT_RULES: Record<string, EventRule> = {
  Medication: { INSERT: 'MedicationCreated', MODIFY: 'MedicationUpdated' },
  Dose: {
    typeFor: (change) => {
      const now = change.newImage;
      if (change.eventName === 'INSERT') return now?.asNeeded === true ? 'DoseLogged' : 'DoseDue';
      if (change.eventName !== 'MODIFY' || !now) return undefined;
      if (now.status === 'missed' && change.oldImage?.status !== 'missed') return 'DoseMissed';
      return now.status !== change.oldImage?.status ? 'DoseConfirmed' : 'DoseUpdated';
    },
  },
};
