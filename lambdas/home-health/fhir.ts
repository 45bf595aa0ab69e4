/**
 * Home health's FHIR mapping (docs/fhir.md): a visit is an Encounter (class home health) with the
 * aide as participant and the EVV times in force as its period. Service logs and supplies used are
 * not mapped (docs/fhir.md says why). Light: plain functions only.
 */
import type { Item } from '../shared/data/db.js';
import { encounter } from '../shared/fhir/encounter.js';
import { defineFhirMapping, str, type FhirRefs } from '../shared/fhir/mapping.js';

const VISIT_STATUS: Record<string, string> = {
  scheduled: 'planned', assigned: 'planned', in_progress: 'in-progress', completed: 'finished', cancelled: 'cancelled',
  // A missed visit never took place: FHIR's Encounter has no "missed"; `cancelled` is the nearest.
  missed: 'cancelled',
};

function visit(item: Item, refs: FhirRefs) {
  const checkIn = item.checkIn as { at?: string } | undefined;
  const checkOut = item.checkOut as { at?: string } | undefined;
  const begin = str(item.evvBegin) ?? checkIn?.at;
  const end = str(item.evvEnd) ?? checkOut?.at;
  const happened = begin !== undefined;
  const tasks = (item.tasks as string[] | undefined) ?? [];
  return encounter(refs, {
    item,
    kind: 'home-visit',
    status: VISIT_STATUS[String(item.status)] ?? 'unknown',
    typeText: `Home visit: ${String(item.serviceType)}`,
    aideId: str(item.aideId),
    period: happened ? { start: begin, end } : { start: str(item.scheduledStart), end: str(item.scheduledEnd) },
    reason: tasks.length ? `Tasks: ${tasks.join(', ')}` : undefined,
  });
}

export const HOME_HEALTH_FHIR = defineFhirMapping({ entities: { Visit: visit } });
