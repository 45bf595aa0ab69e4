/**
 * The concierge's items (keys.ts): providers, appointments, lab results and their critical alerts,
 * treatment plans and the one-active-plan pointer. Only the concierge's repositories (one per aggregate) import this module.
 */
import type { Appointment, LabResult, Provider, TreatmentPlan } from '../../schemas/concierge.js';
import type { Item } from '../shared/data/db.js';
import { entity } from '../shared/data/entity.js';
import { STORAGE_ATTRIBUTES } from '../shared/data/write-context.js';
import { AppointmentKeys, LabResultKeys, ProviderKeys, TreatmentPlanKeys } from './keys.js';

/** Bookkeeping attributes that are not part of the API's entities (notice marks, escalation). */
const INTERNAL = new Set(['notice24hFor', 'notice1hFor', 'escalatedAt', 'auditAction']);

/** The API's record of an item: domain fields, `version`, `createdAt`, `updatedAt`. */
function record<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(k) && !INTERNAL.has(k)) out[k] = v;
  return { ...out, version: item.version, createdAt: item.createdAt, updatedAt: item.updatedAt } as T;
}

export const ProviderEntity = entity('Provider', ProviderKeys, (item) => record<Provider>(item));
export const AppointmentEntity = entity('Appointment', AppointmentKeys, (item) => record<Appointment>(item));
export const LabResultEntity = entity('LabResult', LabResultKeys, (item): LabResult => {
  const lab = record<LabResult>(item);
  return { ...lab, flag: lab.flag ?? null, publishedAt: lab.publishedAt ?? null };
});
/** A published critical result's alert (`LABALERT#<id>`): LabResultCritical, then its escalation. */
export const LabResultAlertEntity = entity('LabResultAlert', { key: LabResultKeys.alert });
export const TreatmentPlanEntity = entity('TreatmentPlan', TreatmentPlanKeys, (item) => record<TreatmentPlan>(item));
/** `PLAN#ACTIVE`: at most one active plan per patient. */
export const ActivePlanEntity = entity('ActiveTreatmentPlan', { key: TreatmentPlanKeys.active });
