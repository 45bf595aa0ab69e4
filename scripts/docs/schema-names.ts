/**
 * The names of the zod schemas, read from the schema modules at run time: every `schemas/*.ts`
 * module's exports. A schema keeps the name it is exported under, so the documents call things
 * what the code calls them, and a new domain's schemas are named without any edit here.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCHEMAS_DIR = path.join(ROOT, 'schemas');

export interface SchemaNames {
  /** The exported name of a schema instance (first module in file order wins a re-export). */
  nameOf(schema: z.core.$ZodType): string | undefined;
  /** Every named schema worth a component of its own (objects, enums, unions), by name. */
  readonly named: ReadonlyMap<string, z.core.$ZodType>;
}

/** Kinds that become components; strings, numbers and the like stay inline where they are used. */
const COMPONENT_KINDS = new Set(['object', 'enum', 'union', 'intersection', 'record', 'tuple']);

/** The schema a wrapper (optional, nullable, default, pipe) stands for. */
export function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s: z.core.$ZodType = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default' || def.type === 'prefault' || def.type === 'readonly') && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

export const isComponentKind = (schema: z.core.$ZodType): boolean => COMPONENT_KINDS.has(schema._zod.def.type);

/** Loads `schemas/*.ts` (sorted by file name, so names are the same on every run). */
export async function loadSchemaNames(dir = SCHEMAS_DIR): Promise<SchemaNames> {
  const files = readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort();
  const names = new Map<z.core.$ZodType, string>();
  const named = new Map<string, z.core.$ZodType>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
    const moduleName = path.basename(file, '.ts');
    for (const exportName of Object.keys(mod).sort()) {
      const value = mod[exportName];
      if (!(value instanceof z.core.$ZodType) || names.has(value)) continue;
      // Two modules exporting one name for different schemas: qualify the later one by its module.
      const name = named.has(exportName) ? `${pascal(moduleName)}${exportName}` : exportName;
      names.set(value, name);
      if (isComponentKind(value)) named.set(name, value);
    }
  }
  return { nameOf: (schema) => names.get(schema), named };
}

export const pascal = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
