/**
 * `docs/api/entities.md`: a Mermaid ER diagram of the entities the API returns and their links, and
 * the data dictionary (one table per entity: field, type, required, description).
 *
 * An entity is a named response schema that carries `id`, `version` or `createdAt` (API.md: every
 * entity has them; some views such as `Message` show only the id), unless its schema says otherwise
 * with `.meta({ entity: true | false })`. A link is a
 * field `<entity>Id` / `<entity>Ids` (also `lastReadMessageId` -> Message), a user-valued field
 * (`addedBy`, `senderId`, `participantIds`, ...), or any field with `.meta({ references: 'Name' })`.
 */
import * as z from 'zod';
import type { RouteDef } from '../../lambdas/shared/http/route-def.js';
import { refsIn, REF_PREFIX, type Json } from './components.js';
import type { ApiDocument } from './openapi.js';
import { unwrap, type SchemaNames } from './schema-names.js';

export interface Entity {
  readonly name: string;
  readonly schema: Json;
  readonly links: readonly Link[];
  readonly routes: readonly string[];
}

export interface Link {
  readonly field: string;
  readonly target: string;
  readonly many: boolean;
  readonly required: boolean;
}

/** Fields that hold a user's id without saying `user` (the actor of something). */
const USER_ALIASES = ['sender', 'recipient', 'participant', 'uploader', 'reporter', 'author', 'assignee', 'member'];

const metaOf = (schema: z.core.$ZodType | undefined, key: string): unknown => {
  let s = schema;
  while (s) {
    const meta: Record<string, unknown> | undefined = z.globalRegistry.get(s);
    if (meta && key in meta) return meta[key];
    const next = unwrapOnce(s);
    if (next === s) return undefined;
    s = next;
  }
  return undefined;
};
const unwrapOnce = (s: z.core.$ZodType): z.core.$ZodType => {
  const def = s._zod.def as { innerType?: z.core.$ZodType; in?: z.core.$ZodType };
  return def.innerType ?? def.in ?? s;
};

export function findEntities(api: ApiDocument, names: SchemaNames, routes: readonly RouteDef[]): Entity[] {
  const schemas = api.components.schemas;
  const isEntity = (name: string): boolean => {
    const zod = names.named.get(name);
    const json = schemas[name];
    if (!zod || !json || unwrap(zod)._zod.def.type !== 'object') return false;
    const flag = metaOf(zod, 'entity');
    if (typeof flag === 'boolean') return flag;
    const props = (json.properties ?? {}) as Record<string, unknown>;
    return 'id' in props || 'version' in props || 'createdAt' in props;
  };
  const entityNames = [...api.components.outputNames].filter(isEntity).sort();

  // Routes that return an entity: their response reaches it without passing through another entity.
  const routesOf = new Map<string, string[]>(entityNames.map((n) => [n, []]));
  for (const route of routes) {
    if (!route.response || (route.status ?? 200) === 204) continue;
    const start = api.components.nameOf(route.response, 'output');
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      if (routesOf.has(name)) routesOf.get(name)!.push(`${route.method} ${route.path}`);
      if (routesOf.has(name)) return;
      for (const ref of refsIn(schemas[name], new Set(), REF_PREFIX)) visit(ref);
    };
    visit(start);
  }

  return entityNames.map((name) => {
    const json = schemas[name]!;
    const zodShape = (unwrap(names.named.get(name)!) as z.core.$ZodObject)._zod.def.shape as Record<string, z.core.$ZodType>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    const links: Link[] = [];
    for (const [field, prop] of Object.entries((json.properties ?? {}) as Record<string, Json>)) {
      const many = prop.type === 'array';
      const explicit = metaOf(zodShape[field], 'references');
      const target = typeof explicit === 'string' ? explicit : linkTarget(field, entityNames);
      const nullable = (Array.isArray(prop.type) && prop.type.includes('null')) || ((prop.anyOf ?? []) as Json[]).some((v) => v.type === 'null');
      if (target && !isOwnId(name, field)) links.push({ field, target, many, required: required.has(field) && !nullable });
    }
    return { name, schema: json, links, routes: routesOf.get(name) ?? [] };
  });
}

/** `id`, or `<entity>Id` on the entity itself (`User.userId`): the entity's key, not a link. */
const isOwnId = (entity: string, field: string): boolean =>
  field === 'id' || field === `${entity[0]!.toLowerCase()}${entity.slice(1)}Id`;

function linkTarget(field: string, entities: readonly string[]): string | undefined {
  if (field === 'id') return undefined;
  const user = entities.includes('User') ? 'User' : undefined;
  if (/^[a-z]+By$/.test(field)) return user;
  const m = /^(.+?)Ids?$/.exec(field);
  if (!m) return undefined;
  const base = m[1]!.toLowerCase();
  if (USER_ALIASES.includes(base)) return user;
  // The longest entity name the field ends with: `lastReadMessageId` -> Message.
  return [...entities].sort((a, b) => b.length - a.length).find((e) => base === e.toLowerCase() || base.endsWith(e.toLowerCase()));
}

// ---- Rendering -----------------------------------------------------------------------------

const refName = (p: Json): string | undefined => (typeof p.$ref === 'string' && p.$ref.startsWith(REF_PREFIX) ? p.$ref.slice(REF_PREFIX.length) : undefined);
const anchor = (name: string): string => `#${name.toLowerCase()}`;

/** A short type for Mermaid (a word: letters, digits, `_-[]()`). */
function mermaidType(p: Json): string {
  const r = refName(p);
  if (r) return r;
  const variants = (p.anyOf ?? p.oneOf) as Json[] | undefined;
  if (variants) {
    const nonNull = variants.filter((v) => v.type !== 'null');
    return nonNull.length === 1 ? mermaidType(nonNull[0]!) : 'union';
  }
  const t = Array.isArray(p.type) ? (p.type as string[]).filter((x) => x !== 'null')[0] : p.type;
  if (t === 'array') return `${mermaidType((p.items ?? {}) as Json)}[]`;
  if (typeof t === 'string') return t;
  return 'any';
}

/** The type column of the data dictionary. */
export function typeText(p: Json, documented: ReadonlySet<string>): string {
  const r = refName(p);
  if (r) return documented.has(r) ? `[${r}](${anchor(r)})` : r;
  const variants = (p.anyOf ?? p.oneOf) as Json[] | undefined;
  if (variants) return variants.map((v) => typeText(v, documented)).join(' or ');
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (Array.isArray(p.enum)) return `one of ${(p.enum as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
  const types = Array.isArray(p.type) ? (p.type as string[]) : typeof p.type === 'string' ? [p.type] : [];
  const parts = types.map((t) => {
    if (t === 'array') return `array of ${typeText((p.items ?? {}) as Json, documented)}`;
    if (t === 'string' && typeof p.format === 'string') return `string (${p.format})`;
    return t;
  });
  let text = parts.length ? parts.join(' or ') : 'any';
  const limits: string[] = [];
  if (p.minLength !== undefined || p.maxLength !== undefined) limits.push(`${typeof p.minLength === 'number' ? p.minLength : 0}..${typeof p.maxLength === 'number' ? p.maxLength : ''} chars`);
  if (typeof p.minimum === 'number' && Math.abs(p.minimum) < 1e15) limits.push(`min ${p.minimum}`);
  if (typeof p.maximum === 'number' && Math.abs(p.maximum) < 1e15) limits.push(`max ${p.maximum}`);
  if (p.default !== undefined) limits.push(`default ${JSON.stringify(p.default)}`);
  if (limits.length) text += ` (${limits.join(', ')})`;
  return text;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(name: string, json: Json, documented: ReadonlySet<string>, links: readonly Link[] = []): string[] {
  const required = new Set((json.required as string[] | undefined) ?? []);
  const props = Object.entries((json.properties ?? {}) as Record<string, Json>);
  if (props.length === 0) return [`\`${name}\`: ${typeText(json, documented)}`, ''];
  const out = ['| field | type | required | description |', '| --- | --- | --- | --- |'];
  for (const [field, prop] of props) {
    const link = links.find((l) => l.field === field);
    const desc = [typeof prop.description === 'string' ? prop.description : '', link ? `-> [${link.target}](${anchor(link.target)})` : '']
      .filter(Boolean)
      .join(' ');
    out.push(`| \`${field}\` | ${cell(typeText(prop, documented))} | ${required.has(field) ? 'yes' : 'no'} | ${cell(desc)} |`);
  }
  out.push('');
  return out;
}

export function renderEntitiesMarkdown(api: ApiDocument, entities: readonly Entity[]): string {
  const schemas = api.components.schemas;
  const entityNames = new Set(entities.map((e) => e.name));
  // Value types: named objects and enums the entities hold (Contact, Role, ...), transitively.
  const valueTypes = new Set<string>();
  const collect = (json: Json | undefined) => {
    for (const ref of refsIn(json, new Set(), REF_PREFIX)) {
      if (entityNames.has(ref) || valueTypes.has(ref)) continue;
      valueTypes.add(ref);
      collect(schemas[ref]);
    }
  };
  for (const e of entities) collect(e.schema);
  const documented = new Set([...entityNames, ...valueTypes]);

  const lines = [
    '# Entities and data dictionary',
    '',
    '<!-- Generated by `npm run docs` from the zod schemas and the route table; do not edit. -->',
    '',
    'The entities the REST API returns, as clients see them (response schemas). Storage keys and',
    'access patterns are in [../data-model.md](../data-model.md); every schema is also in',
    '[openapi.json](openapi.json) and [schemas/](schemas/).',
    '',
    `${entities.length} entities, ${valueTypes.size} value types.`,
    '',
    '## Diagram',
    '',
    '```mermaid',
    'erDiagram',
  ];
  for (const e of entities) {
    lines.push(`  ${e.name} {`);
    for (const [field, prop] of Object.entries((e.schema.properties ?? {}) as Record<string, Json>)) {
      const key = isOwnId(e.name, field) ? ' PK' : e.links.some((l) => l.field === field) ? ' FK' : '';
      lines.push(`    ${mermaidType(prop)} ${field}${key}`);
    }
    lines.push('  }');
  }
  for (const e of entities) {
    for (const l of e.links) {
      // The target (exactly one, or at most one when optional) has many of this entity; an array
      // of ids is many-to-many.
      const targetSide = l.many ? '}o' : l.required ? '||' : '|o';
      lines.push(`  ${l.target} ${targetSide}--o{ ${e.name} : "${l.field}"`);
    }
  }
  lines.push('```', '', '## Entities', '');
  for (const e of entities) {
    lines.push(`### ${e.name}`, '');
    if (typeof e.schema.description === 'string') lines.push(e.schema.description, '');
    if (e.routes.length) lines.push(`Returned by: ${e.routes.map((r) => `\`${r}\``).join(', ')}.`, '');
    lines.push(...table(e.name, e.schema, documented, e.links));
  }
  if (valueTypes.size) {
    lines.push('## Value types', '');
    for (const name of [...valueTypes].sort()) {
      lines.push(`### ${name}`, '');
      const json = schemas[name]!;
      if (typeof json.description === 'string') lines.push(json.description, '');
      lines.push(...table(name, json, documented));
    }
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}
