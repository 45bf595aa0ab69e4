import type { Item } from '../data/db.js';

/**
 * FHIR R4 export (API.md, "Patient records out: FHIR R4"; docs/fhir.md): what a domain declares to
 * map its own items to FHIR resources, and what the export gives a mapping to refer to other
 * resources. It lives below every domain (each domain's `fhir.ts` builds its mapping with it) and
 * below the export (which reads the list of mappings derived from the domains), and it is light:
 * types and plain functions, no schemas, routes or SDK.
 */

/** A FHIR resource as JSON: its type, its stable id, and whatever its definition allows. */
export interface FhirResource {
  resourceType: string;
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  [element: string]: unknown;
}

/** A FHIR Reference: `Type/id` inside the bundle, or a display only for someone the record no longer knows. */
export interface FhirReference {
  reference?: string;
  display?: string;
}

/** Who is exporting: the patient themself sees what the API shows a patient (final results, active and completed plans). */
export type FhirViewer = 'patient' | 'staff' | 'clinician';

/**
 * What a mapping may ask of the export while it maps one item. Every reference it takes from here
 * resolves inside the page it is on: the export adds the resource referred to (a person, another
 * item of the patient's record) to the same page.
 */
export interface FhirRefs {
  readonly orgId: string;
  readonly patientId: string;
  readonly viewer: FhirViewer;
  /** The patient of the export (`Patient/<patientId>`). */
  patient(): FhirReference;
  /**
   * A person by user id: the Patient when it is the patient's own login, a RelatedPerson for family,
   * a Practitioner for anyone else (the identity mapping's `person` builds it). The reference is
   * filled in once the page's people are read; a user the org no longer knows keeps a display only.
   */
  person(userId: string): FhirReference;
  /**
   * Another item of the patient's partition, by its sort key, as the resource of `resourceType` its
   * mapping makes with id `id`: the export adds that item's resources to the page when they are not
   * on it already.
   */
  item(sortKey: string, resourceType: string, id: string): FhirReference;
}

/** Maps one stored item (all its attributes) to its resources; none for an item that is not exported. */
export type FhirItemMapper = (item: Item, refs: FhirRefs) => FhirResource | readonly FhirResource[] | undefined;

/** A user as the export reads one (the profile item), for the person resources. */
export interface FhirPerson {
  userId: string;
  displayName?: string;
  role?: string;
  email?: string;
}

/**
 * One domain's FHIR mapping: its entity types (the items' `entityType`) -> resources. Exactly one
 * domain (identity) also builds the people: the Patient from its profile item and a Practitioner or
 * RelatedPerson from a user profile.
 */
export interface FhirMapping {
  readonly entities: Readonly<Record<string, FhirItemMapper>>;
  /** Builds the resource of a person who appears in the record. @default - the domain builds no people */
  readonly person?: (person: FhirPerson, refs: FhirRefs) => FhirResource;
}

/** Every domain's mappings joined: entity type -> mapper, and the one people builder. */
export interface FhirMappings {
  readonly entities: Readonly<Record<string, FhirItemMapper>>;
  readonly person: (person: FhirPerson, refs: FhirRefs) => FhirResource;
}

/** Declares a domain's mapping (see FhirMapping). */
export const defineFhirMapping = <const M extends FhirMapping>(mapping: M): M => mapping;

/** FHIR ids are 1-64 of `A-Z a-z 0-9 - .`: ours are ULIDs and user ids, a dose id has an `_`. */
export function fhirId(raw: string): string {
  const id = raw.replace(/[^A-Za-z0-9.-]/g, '-');
  return id.length <= 64 ? id : id.slice(0, 64);
}

/** `meta` of a resource from its item: the item's version and last change. */
export function fhirMeta(item: Item): FhirResource['meta'] {
  return {
    ...(typeof item.version === 'number' ? { versionId: String(item.version) } : {}),
    ...(typeof item.updatedAt === 'string' ? { lastUpdated: item.updatedAt } : {}),
  };
}

/** Our own code systems (no standard one fits): one URI per kind, documented in docs/fhir.md. */
export const CARESTACK_SYSTEM = (kind: string) => `https://carestack.example/fhir/CodeSystem/${kind}`;

/** A FHIR dateTime / instant keeps what the item has; strings only. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
/** Drops undefined values, so a resource carries no empty element (FHIR forbids empty ones). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}
