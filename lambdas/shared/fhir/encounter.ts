import { CARESTACK_SYSTEM, compact, fhirId, fhirMeta, type FhirReference, type FhirRefs, type FhirResource } from './mapping.js';
import type { Item } from '../data/db.js';

/**
 * A home visit or a respite session as a FHIR Encounter (class `HH`, home health): home health and
 * respite share the aide's calendar and the EVV checks, and so the shape of their encounters.
 */
export interface EncounterFacts {
  item: Item;
  /** Our own kind, as `identifier.system` and `type`: `home-visit`, `respite-session`. */
  kind: string;
  status: string;
  typeText: string;
  aideId?: string | undefined;
  /** When it happened (the EVV times in force), else when it was planned. */
  period: { start?: string | undefined; end?: string | undefined };
  address?: string | undefined;
  reason?: string | undefined;
}

export function encounter(refs: FhirRefs, f: EncounterFacts): FhirResource {
  const participant: Array<{ individual: FhirReference }> = f.aideId ? [{ individual: refs.person(f.aideId) }] : [];
  return compact({
    resourceType: 'Encounter',
    id: fhirId(String(f.item.id)),
    meta: fhirMeta(f.item),
    identifier: [{ system: CARESTACK_SYSTEM(f.kind), value: String(f.item.id) }],
    status: f.status,
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' },
    type: [{ coding: [{ system: CARESTACK_SYSTEM('encounter-type'), code: f.kind }], text: f.typeText }],
    subject: refs.patient(),
    participant,
    period: f.period.start || f.period.end ? compact({ start: f.period.start, end: f.period.end }) : undefined,
    reasonCode: f.reason ? [{ text: f.reason }] : undefined,
  });
}
