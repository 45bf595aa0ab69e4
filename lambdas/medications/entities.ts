/**
 * The medication domain's items: medications, doses, missed-dose alerts and as-needed counters,
 * all in the patient's partition (keys.ts). Only the medication repository imports this module.
 */
import type { Dose, Medication, MissedDoseAlert } from '../../schemas/medications.js';
import type { Item } from '../shared/data/db.js';
import { entity } from '../shared/data/entity.js';
import { STORAGE_ATTRIBUTES } from '../shared/data/write-context.js';
import { AlertKeys, AsNeededCountKeys, DoseKeys, MedicationKeys } from './keys.js';

/** Bookkeeping attributes of a medication that are not part of the API's entity. */
export const INTERNAL = new Set(['scheduleSyncFailed', 'auditAction']);

/** A medication as stored: the entity, plus whether its last schedule sync failed. */
export interface StoredMedication {
  medication: Medication;
  scheduleSyncFailed: boolean;
}

const strip = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k)));

export const MedicationEntity = entity('Medication', MedicationKeys, (item): StoredMedication => {
  const { scheduleSyncFailed, ...rest } = strip(item);
  for (const k of INTERNAL) delete rest[k];
  return {
    medication: { ...rest, version: item.version, createdAt: item.createdAt, updatedAt: item.updatedAt } as Medication,
    scheduleSyncFailed: scheduleSyncFailed === true,
  };
});

export const DoseEntity = entity('Dose', DoseKeys, (item): Dose => {
  const { auditAction: _a, ...rest } = strip(item);
  return { ...rest, version: item.version, createdAt: item.createdAt, updatedAt: item.updatedAt } as Dose;
});

export const MissedDoseAlertEntity = entity('MissedDoseAlert', AlertKeys, (item) => strip(item) as MissedDoseAlert);

/** As-needed doses per medication and local day: written only by ADD, never read back as a record. */
export const AsNeededCountEntity = entity('AsNeededCount', AsNeededCountKeys);
