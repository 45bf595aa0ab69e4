/**
 * Key formats of the medication domain (docs/data-model.md, "Medication adherence"), each in one
 * place. Everything lives in the patient's partition `ORG#<org>#PAT#<patientId>`.
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };

/** ISO 8601 UTC with milliseconds: the one spelling of a dose's time in keys and ids. */
export const canonicalTime = (iso: string | Date): string => new Date(iso).toISOString();

export const MedicationKeys = {
  key: (orgId: string, patientId: string, medicationId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `MED#${medicationId}` }),
  partition: PatientKeys.partition,
  prefix: 'MED#',
};

/**
 * A dose is keyed by when it is due and its medication, so a replayed slot fire finds its dose
 * (Put with attribute_not_exists creates nothing twice) and a window of doses is one Query.
 * Its id is the same pair, path-safe: `<yyyymmddThhmmssSSSZ>_<medicationId>`.
 */
export const DoseKeys = {
  key: (orgId: string, patientId: string, scheduledFor: string, medicationId: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `DOSE#${canonicalTime(scheduledFor)}#${medicationId}`,
  }),
  /** Sort-key bounds of the doses due in [from, to). */
  between: (from: string, to: string) => ({ from: `DOSE#${canonicalTime(from)}`, to: `DOSE#${canonicalTime(to)}` }),
  id: (scheduledFor: string, medicationId: string) => `${canonicalTime(scheduledFor).replace(/[-:.]/g, '')}_${medicationId}`,
  parseId(doseId: string): { scheduledFor: string; medicationId: string } | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z_([0-9A-Za-z]{1,40})$/.exec(doseId);
    if (!m) return undefined;
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`;
    if (Number.isNaN(Date.parse(iso)) || canonicalTime(iso) !== iso) return undefined;
    return { scheduledFor: iso, medicationId: m[8]! };
  },
};

/** One alert per missed dose, keyed like the dose: a replayed check stores nothing twice. */
export const AlertKeys = {
  key: (orgId: string, patientId: string, scheduledFor: string, medicationId: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `ALERT#${canonicalTime(scheduledFor)}#${medicationId}`,
  }),
  prefix: 'ALERT#',
};

/** As-needed doses per medication and local day: the counter the daily maximum is checked on. */
export const AsNeededCountKeys = {
  key: (orgId: string, patientId: string, medicationId: string, localDate: string): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `PRN#${medicationId}#${localDate}`,
  }),
};
