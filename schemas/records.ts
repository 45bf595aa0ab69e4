import * as z from 'zod/mini';
import { Id, IsoDateTime } from './common.js';

// ---- Patient records out: FHIR R4 (API.md; docs/fhir.md) ---------------------------------------

/** Entries per page of the export (API.md: at most 500). */
export const FHIR_PAGE_ENTRIES = 500;

export const FhirExportParams = z.strictObject({ patientId: Id });

export const FhirExportQuery = z.strictObject({
  cursor: z.optional(
    z.string().check(z.minLength(1), z.maxLength(1024), z.describe('From the `next` link of the previous page (opaque)')),
  ),
  since: z.optional(IsoDateTime.check(z.describe('Only resources changed after this instant (ISO 8601); the people and resources they refer to come along'))),
});
export type FhirExportQuery = z.infer<typeof FhirExportQuery>;

/** A FHIR resource as JSON (validated against FHIR R4 by the suite, not here). */
export const FhirResourceJson = z.looseObject({
  resourceType: z.string(),
  id: z.string(),
});

/** A page of the export: a FHIR R4 Bundle of type `collection` (application/fhir+json). */
export const FhirBundle = z.object({
  resourceType: z.literal('Bundle'),
  type: z.literal('collection'),
  timestamp: IsoDateTime.check(z.describe('When this page was assembled')),
  link: z.array(z.object({ relation: z.enum(['self', 'next']), url: z.string() })).check(
    z.describe('`next`: the next page (a URL relative to this one); absent on the last page'),
  ),
  entry: z.array(z.object({ resource: FhirResourceJson })).check(
    z.describe("The page's resources; every reference in them (`Type/id`) names a resource of the same page"),
  ),
});
export type FhirBundle = z.infer<typeof FhirBundle>;
