/**
 * Identity's FHIR mapping (docs/fhir.md): the Patient from its profile item, the people of the
 * record (care-team members, and anyone a resource names) as Practitioner or RelatedPerson. Light:
 * types and plain functions only, so the export function carries none of identity's routes.
 */
import type { Item } from '../shared/data/db.js';
import { CARESTACK_SYSTEM, compact, defineFhirMapping, fhirId, fhirMeta, str, type FhirPerson, type FhirRefs, type FhirResource } from '../shared/fhir/mapping.js';

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

function patient(item: Item, refs: FhirRefs): FhirResource {
  const contact = item.contact as { name: string; relationship?: string; phoneNumber?: string; email?: string } | undefined;
  return compact({
    resourceType: 'Patient',
    id: fhirId(refs.patientId),
    meta: fhirMeta(item),
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: V2_0203, code: 'MR', display: 'Medical record number' }], text: 'MRN' },
        system: CARESTACK_SYSTEM(`mrn/${encodeURIComponent(refs.orgId)}`),
        value: String(item.medicalRecordNumber),
      },
    ],
    active: item.isActive !== false,
    name: [{ text: String(item.displayName) }],
    telecom: str(item.phoneNumber) ? [{ system: 'phone', value: str(item.phoneNumber) }] : undefined,
    birthDate: str(item.dateOfBirth),
    contact: contact
      ? [
          compact({
            relationship: contact.relationship ? [{ text: contact.relationship }] : undefined,
            name: { text: contact.name },
            telecom: [
              ...(contact.phoneNumber ? [{ system: 'phone', value: contact.phoneNumber }] : []),
              ...(contact.email ? [{ system: 'email', value: contact.email }] : []),
            ],
          }),
        ]
      : undefined,
  });
}

/** Family on the care team are RelatedPersons of the patient; everyone else who appears is a Practitioner. */
function person(p: FhirPerson, refs: FhirRefs, meta?: FhirResource['meta']): FhirResource {
  const name = p.displayName ? [{ text: p.displayName }] : undefined;
  if (p.role === 'family') {
    return compact({
      resourceType: 'RelatedPerson',
      id: fhirId(p.userId),
      meta,
      identifier: [{ system: CARESTACK_SYSTEM('user'), value: p.userId }],
      patient: refs.patient(),
      relationship: [{ coding: [{ system: ROLE_CODE, code: 'FAMMEMB', display: 'family member' }] }],
      name,
    });
  }
  return compact({
    resourceType: 'Practitioner',
    id: fhirId(p.userId),
    meta,
    identifier: [{ system: CARESTACK_SYSTEM('user'), value: p.userId }],
    name,
  });
}

export const IDENTITY_FHIR = defineFhirMapping({
  entities: {
    Patient: patient,
    // A member of the care team appears in the record whether or not a resource names them.
    CareTeamMember: (item, refs) =>
      item.deleting === true
        ? undefined
        : person({ userId: String(item.userId), displayName: str(item.displayName), role: str(item.role) }, refs, fhirMeta(item)),
  },
  person: (p, refs) => person(p, refs),
});
