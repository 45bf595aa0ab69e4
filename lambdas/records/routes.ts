import { FhirBundle, FhirExportParams, FhirExportQuery } from '../../schemas/records.js';
import { defineRoutes } from '../shared/http/route-def.js';

/** Patient records out (API.md, "Patient records out: FHIR R4"), served by `records`. */
export const RECORDS_ROUTES = defineRoutes('records', {
  'GET /patients/{patientId}/fhir': {
    operation: 'exportPatientFhir',
    // Staff, a clinician on the care team, the patient themself; the service checks which patient (404).
    roles: ['admin', 'coordinator', 'clinician', 'patient'],
    summary:
      "The patient's record as a FHIR R4 Bundle (collection), at most 500 entries a page, the next page in `link` `next`; `since` keeps what changed after that instant; audited as one `export`",
    params: FhirExportParams, query: FhirExportQuery, response: FhirBundle, produces: 'application/fhir+json',
  },
});
