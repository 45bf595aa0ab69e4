/**
 * JSON Schema components for every schema the route table uses, converted with zod 4's own
 * `z.toJSONSchema`. Request schemas (params, query, body) are converted as zod *inputs* (what a
 * client sends: defaults make fields optional, coercions accept strings), responses as *outputs*.
 * Named schemas become components referenced by name; a schema whose input and output differ gets
 * a second component `<Name>Input`.
 */
import * as z from 'zod';
import { unwrap, type SchemaNames } from './schema-names.js';

export type Json = Record<string, unknown>;
export type Io = 'input' | 'output';

export interface SchemaRoot {
  schema: z.core.$ZodType;
  io: Io;
  /** The component name when the schema has no exported name of its own. */
  fallbackName: string;
}

export interface Components {
  /** Name -> JSON Schema (draft 2020-12); references are `#/components/schemas/<Name>`. */
  readonly schemas: Record<string, Json>;
  /** Components of the response side (what the API returns). */
  readonly outputNames: ReadonlySet<string>;
  /** The component name a root was given. */
  nameOf(schema: z.core.$ZodType, io: Io): string;
}

export const REF_PREFIX = '#/components/schemas/';
const TEMP_REF = '#REF:';
const MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Meta keys that steer the documents and are not JSON Schema keywords. */
export const DOC_META_KEYS = ['entity', 'references'] as const;

export function buildComponents(roots: readonly SchemaRoot[], names: SchemaNames): Components {
  // 1. Names: a schema's exported name; else a name derived from where the route table uses it.
  const taken = new Map<string, z.core.$ZodType>([...names.named].map(([n, s]) => [n, s]));
  const rootNames = { input: new Map<z.core.$ZodType, string>(), output: new Map<z.core.$ZodType, string>() };
  const alias = new Map<z.core.$ZodType, z.core.$ZodType>();
  for (const root of roots) {
    const own = names.nameOf(root.schema);
    let name = own ?? derivedName(root.schema, names) ?? root.fallbackName;
    if (!own) {
      // A derived name already used by another instance: the same component when the two convert
      // alike (each route building its own `ListOf(Incident)`), else the route's own name.
      const other = taken.get(name);
      if (other && other !== root.schema && sameJson(other, root.schema, root.io)) {
        if (!rootNames[root.io].has(other)) rootNames[root.io].set(other, name);
        alias.set(root.schema, other);
        continue;
      }
      if (taken.has(name) && taken.get(name) !== root.schema) name = root.fallbackName;
      let n = 2;
      const base = name;
      while (taken.has(name) && taken.get(name) !== root.schema) name = `${base}${n++}`;
    }
    taken.set(name, root.schema);
    if (!rootNames[root.io].has(root.schema)) rootNames[root.io].set(root.schema, name);
  }

  // 2. Convert each side with every named schema registered, so nested ones become references.
  const convert = (io: Io): Record<string, Json> => {
    const registry = z.registry<{ id: string }>();
    const added = new Set<z.core.$ZodType>();
    const add = (schema: z.core.$ZodType, id: string) => {
      if (added.has(schema)) return;
      added.add(schema);
      registry.add(schema, { id });
    };
    for (const [name, schema] of names.named) add(schema, name);
    for (const [schema, name] of rootNames[io]) add(schema, name);
    const out = z.toJSONSchema(registry, {
      target: 'draft-2020-12',
      io,
      uri: (id) => `${TEMP_REF}${id}`,
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    });
    return out.schemas;
  };
  const sides = { output: convert('output'), input: convert('input') };

  // 3. Keep what the routes reach; merge the sides, splitting names whose two sides differ.
  const reach = (io: Io): string[] => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name) || !sides[io][name]) return;
      seen.add(name);
      for (const ref of refsIn(sides[io][name])) visit(ref);
    };
    for (const name of rootNames[io].values()) visit(name);
    return [...seen];
  };
  const outputNames = reach('output');
  const inputNames = reach('input');
  const inputRename = new Map<string, string>();
  for (const name of inputNames) {
    const differs = outputNames.includes(name) && JSON.stringify(sides.input[name]) !== JSON.stringify(sides.output[name]);
    inputRename.set(name, differs ? `${name}Input` : name);
  }
  const schemas: Record<string, Json> = {};
  for (const name of outputNames) schemas[name] = clean(sides.output[name]!, (ref) => ref);
  for (const name of inputNames) schemas[inputRename.get(name)!] = clean(sides.input[name]!, (ref) => inputRename.get(ref) ?? ref);

  return {
    schemas,
    outputNames: new Set(outputNames),
    nameOf: (schema, io) => {
      const name = rootNames[io].get(alias.get(schema) ?? schema);
      if (!name) throw new Error('buildComponents: schema was not given as a root');
      return io === 'input' ? (inputRename.get(name) ?? name) : name;
    },
  };
}

const sameJson = (a: z.core.$ZodType, b: z.core.$ZodType, io: Io): boolean => {
  const json = (s: z.core.$ZodType) => JSON.stringify(z.toJSONSchema(s, { io, unrepresentable: 'any' }));
  return json(a) === json(b);
};

/** `ListOf(Patient)` -> `PatientPage`; `{ items: Patient[] }` -> `PatientList`. */
function derivedName(schema: z.core.$ZodType, names: SchemaNames): string | undefined {
  const s = unwrap(schema);
  if (s._zod.def.type !== 'object') return undefined;
  const shape = (s as z.core.$ZodObject)._zod.def.shape;
  const items = shape.items ? unwrap(shape.items) : undefined;
  if (!items || items._zod.def.type !== 'array') return undefined;
  const element = (items as z.core.$ZodArray)._zod.def.element;
  const itemName = names.nameOf(element);
  if (!itemName) return undefined;
  return 'nextCursor' in shape ? `${itemName}Page` : `${itemName}List`;
}

/** Names a component references. */
export function refsIn(value: unknown, into: Set<string> = new Set(), prefix = TEMP_REF): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, into, prefix);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) into.add(v.slice(prefix.length));
      else refsIn(v, into, prefix);
    }
  }
  return into;
}

/** Drops `$schema`/`$id`, the documents' own meta keys, and points references at components. */
function clean(schema: Json, rename: (name: string) => string): Json {
  // `isMap`: the keys are property names (or definition names), not keywords.
  const walk = (value: unknown, top: boolean, isMap: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, false, false));
    if (!value || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (isMap) {
        out[k] = walk(v, false, false);
        continue;
      }
      if (top && (k === '$schema' || k === '$id')) continue;
      if ((DOC_META_KEYS as readonly string[]).includes(k)) continue;
      if (k === '$ref' && typeof v === 'string' && v.startsWith(TEMP_REF)) out[k] = REF_PREFIX + rename(v.slice(TEMP_REF.length));
      else out[k] = walk(v, false, MAP_KEYWORDS.has(k));
    }
    return out;
  };
  return walk(schema, true, false) as Json;
}
