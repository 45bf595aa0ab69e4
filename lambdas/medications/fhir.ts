/**
 * Medications' FHIR mapping (docs/fhir.md): a medication is a Medication (what it is) and a
 * MedicationRequest (the regimen: dosage, timing from its schedule, PRN as `asNeeded`); a settled
 * dose is a MedicationAdministration: taken `completed`, missed, skipped or refused `not-done`.
 * A dose still due is not an administration yet and is left out. Light: keys and plain functions.
 */
import type { AsNeededSchedule, TimedSchedule } from '../../schemas/medications.js';
import type { Item } from '../shared/data/db.js';
import { CARESTACK_SYSTEM, compact, defineFhirMapping, fhirId, fhirMeta, str, type FhirRefs, type FhirResource } from '../shared/fhir/mapping.js';
import { DoseKeys, MedicationKeys } from './keys.js';

const MEDICATION_STATUS: Record<string, string> = { active: 'active', paused: 'on-hold', stopped: 'stopped' };
const DOSE_STATUS: Record<string, string> = { taken: 'completed', missed: 'not-done', skipped: 'not-done', refused: 'not-done' };
const UCUM = 'http://unitsofmeasure.org';

function dosage(item: Item): Record<string, unknown> {
  const schedule = item.schedule as TimedSchedule | AsNeededSchedule;
  const text = [str(item.dosage), str(item.instructions)].filter(Boolean).join('; ');
  if ('asNeeded' in schedule) {
    return compact({
      text: `${text}; as needed, at most ${schedule.maxDosesPerDay} a day`,
      asNeededBoolean: true,
      maxDosePerPeriod: { numerator: { value: schedule.maxDosesPerDay }, denominator: { value: 1, unit: 'day', system: UCUM, code: 'd' } },
    });
  }
  return {
    text: `${text}; at ${schedule.times.join(', ')} (${schedule.timezone})`,
    timing: {
      repeat: compact({
        boundsPeriod: compact({ start: schedule.startDate, end: schedule.endDate }),
        dayOfWeek: schedule.daysOfWeek?.map((d) => d.toLowerCase()),
        timeOfDay: schedule.times.map((t) => `${t}:00`),
      }),
    },
    asNeededBoolean: false,
  };
}

function medication(item: Item, refs: FhirRefs): FhirResource[] {
  const id = fhirId(String(item.id));
  const meta = fhirMeta(item);
  return [
    compact({ resourceType: 'Medication', id, meta, code: { text: String(item.name) } }),
    compact({
      resourceType: 'MedicationRequest',
      id,
      meta,
      identifier: [{ system: CARESTACK_SYSTEM('medication'), value: String(item.id) }],
      status: MEDICATION_STATUS[String(item.status)] ?? 'unknown',
      // The patient's regimen as the care team keeps it, not a prescription this system authorises.
      intent: 'plan',
      medicationReference: { reference: `Medication/${id}`, display: String(item.name) },
      subject: refs.patient(),
      authoredOn: str(item.createdAt),
      dosageInstruction: [dosage(item)],
    }),
  ];
}

function dose(item: Item, refs: FhirRefs): FhirResource | undefined {
  const status = DOSE_STATUS[String(item.status)];
  if (!status) return undefined;
  const medicationId = String(item.medicationId);
  const medSk = MedicationKeys.key('', '', medicationId).SK;
  const medication = refs.item(medSk, 'Medication', fhirId(medicationId));
  const request = refs.item(medSk, 'MedicationRequest', fhirId(medicationId));
  const id = str(item.id) ?? DoseKeys.id(String(item.scheduledFor), medicationId);
  const reason = str(item.reason);
  const confirmedBy = str(item.confirmedBy);
  return compact({
    resourceType: 'MedicationAdministration',
    id: fhirId(id),
    meta: fhirMeta(item),
    identifier: [{ system: CARESTACK_SYSTEM('dose'), value: id }],
    status,
    statusReason: status === 'not-done' ? [{ coding: [{ system: CARESTACK_SYSTEM('dose-status'), code: String(item.status) }], ...(reason ? { text: reason } : {}) }] : undefined,
    medicationReference: medication,
    subject: refs.patient(),
    effectiveDateTime: str(item.takenAt) ?? (status === 'completed' ? str(item.confirmedAt) : undefined) ?? String(item.scheduledFor),
    performer: confirmedBy && status === 'completed' ? [{ actor: refs.person(confirmedBy) }] : undefined,
    reasonCode: status === 'completed' && reason && item.asNeeded === true ? [{ text: reason }] : undefined,
    request,
    note: item.late === true ? [{ text: 'Taken late (after the dose was missed)' }] : undefined,
  });
}

export const MEDICATIONS_FHIR = defineFhirMapping({
  entities: { Medication: medication, Dose: dose },
});
