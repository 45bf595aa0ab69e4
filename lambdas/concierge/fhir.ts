/**
 * The concierge's FHIR mapping (docs/fhir.md): appointments as Appointment, lab results as
 * Observation (a correction `corrected`, pointing at the result it replaces), treatment plans as
 * CarePlan. Light: keys and plain functions, none of the concierge's routes or schemas.
 */
import type { Item } from '../shared/data/db.js';
import { CARESTACK_SYSTEM, compact, defineFhirMapping, fhirId, fhirMeta, str, type FhirRefs, type FhirResource } from '../shared/fhir/mapping.js';
import { LabResultKeys } from './keys.js';

const APPOINTMENT_STATUS: Record<string, string> = {
  booked: 'booked', checked_in: 'checked-in', completed: 'fulfilled', cancelled: 'cancelled', no_show: 'noshow',
};
const INTERPRETATION: Record<string, { code: string; display: string }> = {
  normal: { code: 'N', display: 'Normal' },
  low: { code: 'L', display: 'Low' },
  high: { code: 'H', display: 'High' },
  critical_low: { code: 'LL', display: 'Critical low' },
  critical_high: { code: 'HH', display: 'Critical high' },
};
const PLAN_STATUS: Record<string, string> = { draft: 'draft', active: 'active', completed: 'completed', cancelled: 'revoked' };
const SERVICE_TYPE: Record<string, string> = { in_person: 'In person', video: 'Video', phone: 'Phone' };
/**
 * The R4 core extension "This observation replaces a previous observation (i.e. a revised value)"
 * (valueReference to an Observation): Observation has no element for it, and `derivedFrom` would
 * say the correction was computed from the old result.
 */
export const REPLACES_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/observation-replaces';

function appointment(item: Item, refs: FhirRefs): FhirResource {
  const status = APPOINTMENT_STATUS[String(item.status)] ?? 'booked';
  const location = str(item.location);
  return compact({
    resourceType: 'Appointment',
    id: fhirId(String(item.id)),
    meta: fhirMeta(item),
    identifier: [{ system: CARESTACK_SYSTEM('appointment'), value: String(item.id) }],
    status,
    cancelationReason: status === 'cancelled' && str(item.cancelReason) ? { text: str(item.cancelReason) } : undefined,
    serviceType: location ? [{ coding: [{ system: CARESTACK_SYSTEM('appointment-location'), code: location, display: SERVICE_TYPE[location] }] }] : undefined,
    description: str(item.reason),
    start: String(item.startAt),
    end: String(item.endAt),
    minutesDuration: typeof item.durationMinutes === 'number' ? item.durationMinutes : undefined,
    created: str(item.bookedAt),
    comment: str(item.summary),
    participant: [
      { actor: refs.patient(), required: 'required', status: 'accepted' },
      { actor: refs.person(String(item.providerId)), required: 'required', status: 'accepted' },
    ],
  });
}

function labResult(item: Item, refs: FhirRefs): FhirResource | undefined {
  // The patient sees final and corrected results only, as the API shows them (API.md).
  if (refs.viewer === 'patient' && item.status === 'preliminary') return undefined;
  const range = item.referenceRange as { low?: number; high?: number } | undefined;
  const units = str(item.units);
  const quantity = (value: number) => compact({ value, unit: units });
  const flag = INTERPRETATION[String(item.flag)];
  const supersedes = str(item.supersedes);
  const createdBy = str(item.createdBy);
  const orderedBy = str(item.orderedBy);
  return compact({
    resourceType: 'Observation',
    id: fhirId(String(item.id)),
    meta: fhirMeta(item),
    extension: supersedes
      ? [{ url: REPLACES_EXTENSION, valueReference: refs.item(LabResultKeys.key('', '', supersedes).SK, 'Observation', fhirId(supersedes)) }]
      : undefined,
    identifier: [{ system: CARESTACK_SYSTEM('lab-result'), value: String(item.id) }],
    status: item.status === 'corrected' ? 'corrected' : item.status === 'final' ? 'final' : 'preliminary',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
    code: { coding: [{ system: CARESTACK_SYSTEM('lab-test'), code: String(item.testCode), display: String(item.testName) }], text: String(item.testName) },
    subject: refs.patient(),
    effectiveDateTime: String(item.collectedAt),
    issued: str(item.publishedAt),
    performer: createdBy ? [refs.person(createdBy)] : undefined,
    valueQuantity: typeof item.value === 'number' ? quantity(item.value) : undefined,
    valueString: typeof item.value !== 'number' ? str(item.valueText) : undefined,
    interpretation: flag ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', ...flag }] }] : undefined,
    referenceRange:
      range && (range.low !== undefined || range.high !== undefined)
        ? [compact({ low: range.low !== undefined ? quantity(range.low) : undefined, high: range.high !== undefined ? quantity(range.high) : undefined })]
        : undefined,
    note: orderedBy ? [{ text: `Ordered by ${orderedBy}` }] : undefined,
  });
}

function treatmentPlan(item: Item, refs: FhirRefs): FhirResource | undefined {
  // The patient sees active and completed plans only (API.md).
  if (refs.viewer === 'patient' && item.status !== 'active' && item.status !== 'completed') return undefined;
  const goals = (item.goals as Array<{ description: string; targetDate?: string }> | undefined) ?? [];
  const createdBy = str(item.createdBy);
  return compact({
    resourceType: 'CarePlan',
    id: fhirId(String(item.id)),
    meta: fhirMeta(item),
    identifier: [{ system: CARESTACK_SYSTEM('treatment-plan'), value: String(item.id) }],
    status: PLAN_STATUS[String(item.status)] ?? 'unknown',
    intent: 'plan',
    title: str(item.title),
    description: str(item.summary),
    subject: refs.patient(),
    period: compact({ start: str(item.startDate), end: str(item.endDate) }),
    created: str(item.createdAt),
    author: createdBy ? refs.person(createdBy) : undefined,
    // Goals as notes: a FHIR Goal resource per goal would need a lifecycle this API does not keep.
    note: [
      ...(str(item.details) ? [{ text: String(item.details) }] : []),
      ...goals.map((g) => ({ text: `Goal: ${g.description}${g.targetDate ? ` (target ${g.targetDate})` : ''}` })),
    ],
  });
}

export const CONCIERGE_FHIR = defineFhirMapping({
  entities: { Appointment: appointment, LabResult: labResult, TreatmentPlan: treatmentPlan },
});
