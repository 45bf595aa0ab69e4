import type { EventRule } from '../shared/events/event-rule.js';

/**
 * Home health: a visit's changes reach `onPatientEvent` of its patient and, addressed to the
 * assigned aide, `onMyEvent`. Two changes have names of their own: the late check's mark
 * (`lateNotifiedAt` appears: `VisitLate`) and the missed check (`status` becomes `missed`:
 * `VisitMissed`). A supply whose stock crosses its reorder level downwards is `SupplyLow`, once per
 * crossing (the one stream record whose old quantity was at or above the level and new is below).
 */
export const HOME_HEALTH_EVENT_RULES: Record<string, EventRule> = {
  Visit: {
    typeFor: (change) => {
      const now = change.newImage;
      if (change.eventName === 'INSERT') return 'VisitScheduled';
      if (change.eventName !== 'MODIFY' || !now) return undefined;
      const before = change.oldImage;
      if (now.lateNotifiedAt !== undefined && before?.lateNotifiedAt === undefined) return 'VisitLate';
      if (now.status === 'missed' && before?.status !== 'missed') return 'VisitMissed';
      return 'VisitUpdated';
    },
    recipients: (image) => (typeof image.aideId === 'string' && image.aideId ? [image.aideId] : []),
  },
  Supply: {
    typeFor: (change) => {
      if (change.eventName !== 'MODIFY') return change.eventName === 'INSERT' ? 'SupplyCreated' : undefined;
      const level = Number(change.newImage?.reorderLevel);
      const was = Number(change.oldImage?.quantity);
      const is = Number(change.newImage?.quantity);
      return was >= level && is < level ? 'SupplyLow' : 'SupplyUpdated';
    },
  },
};
