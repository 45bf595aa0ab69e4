/**
 * Respite's FHIR mapping (docs/fhir.md): a respite session is an Encounter (class home health) with
 * the confirmed aide as participant, its period the check-in/out (else the booked window). Offers,
 * budgets and reminders are not mapped. Light: plain functions only.
 */
import type { Item } from '../shared/data/db.js';
import { encounter } from '../shared/fhir/encounter.js';
import { defineFhirMapping, str, type FhirRefs } from '../shared/fhir/mapping.js';

const SESSION_STATUS: Record<string, string> = {
  requested: 'planned', confirmed: 'planned', in_progress: 'in-progress', completed: 'finished', cancelled: 'cancelled',
};

function session(item: Item, refs: FhirRefs) {
  const checkIn = (item.checkIn as { at?: string } | undefined)?.at;
  const checkOut = (item.checkOut as { at?: string } | undefined)?.at;
  return encounter(refs, {
    item,
    kind: 'respite-session',
    status: SESSION_STATUS[String(item.status)] ?? 'unknown',
    typeText: 'Respite care session',
    aideId: str(item.aideId),
    period: checkIn ? { start: checkIn, end: checkOut } : { start: str(item.startAt), end: str(item.endAt) },
    reason: (item.needs as string[] | undefined)?.length ? `Needs: ${(item.needs as string[]).join(', ')}` : undefined,
  });
}

export const RESPITE_FHIR = defineFhirMapping({ entities: { RespiteSession: session } });
