/**
 * Assisted living's FHIR mapping (docs/fhir.md): an incident is an AdverseEvent (actuality actual),
 * its category in our code system, seriousness and severity from its severity, the reporter as
 * recorder. Light: plain functions only.
 */
import type { Item } from '../shared/data/db.js';
import { CARESTACK_SYSTEM, compact, defineFhirMapping, fhirId, fhirMeta, str, type FhirRefs, type FhirResource } from '../shared/fhir/mapping.js';

const SERIOUS = new Set(['high', 'critical']);
/** AdverseEvent.severity is bound (required) to mild | moderate | severe. */
const SEVERITY: Record<string, string> = { low: 'mild', moderate: 'moderate', high: 'severe', critical: 'severe' };

function incident(item: Item, refs: FhirRefs): FhirResource {
  const category = String(item.category);
  const severity = String(item.severity);
  const reportedBy = str(item.reportedBy);
  return compact({
    resourceType: 'AdverseEvent',
    id: fhirId(String(item.id)),
    meta: fhirMeta(item),
    identifier: { system: CARESTACK_SYSTEM('incident'), value: String(item.id) },
    actuality: 'actual',
    category: [{ coding: [{ system: CARESTACK_SYSTEM('incident-category'), code: category, display: category.replace(/_/g, ' ') }] }],
    event: { text: String(item.details) },
    subject: refs.patient(),
    date: String(item.occurredAt),
    recordedDate: str(item.reportedAt),
    location: undefined,
    seriousness: {
      coding: [
        SERIOUS.has(severity)
          ? { system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'serious', display: 'Serious' }
          : { system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'non-serious', display: 'Non-serious' },
      ],
      text: severity,
    },
    severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: SEVERITY[severity] ?? 'moderate' }] },
    recorder: reportedBy ? refs.person(reportedBy) : undefined,
  });
}

export const ASSISTED_LIVING_FHIR = defineFhirMapping({ entities: { Incident: incident } });
