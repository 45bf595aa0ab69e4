/**
 * Key formats of the access-report items (docs/data-model.md, "Access reports"). Only the
 * access-report repository imports this module.
 */
import { PatientKeys } from '../shared/data/keys.js';

type Key = { PK: string; SK: string };

export const AccessReportKeys = {
  /** Under the patient, so a report can never be read through another org's or patient's path. */
  key: (orgId: string, patientId: string, reportId: string): Key => ({ PK: PatientKeys.partition(orgId, patientId), SK: `AREP#${reportId}` }),
  /** Its rows, in chunks numbered from 0 (a report of a busy year outgrows one item). */
  rows: (orgId: string, patientId: string, reportId: string, chunk: number): Key => ({
    PK: PatientKeys.partition(orgId, patientId),
    SK: `AREP#${reportId}#ROWS#${String(chunk).padStart(4, '0')}`,
  }),
  rowsPrefix: (reportId: string) => `AREP#${reportId}#ROWS#`,
};
