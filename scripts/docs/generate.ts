/**
 * Every generated API document, in memory: `npm run docs` writes them (scripts/generate-docs.ts),
 * the regeneration test compares them with the committed files, and the local stack serves the
 * OpenAPI document to its playground. Everything comes from the route table and the schema modules
 * at run time, so a new domain's routes and schemas appear without edits here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_RULES } from '../../lambdas/events/event-map.js';
import { ROUTES } from '../../lambdas/routes.js';
import type { RouteDef } from '../../lambdas/shared/http/route-def.js';
import { refsIn, REF_PREFIX, type Json } from './components.js';
import { findEntities, renderEntitiesMarkdown, type Entity } from './entities.js';
import { renderGraphqlMarkdown } from './graphql.js';
import { buildGraphqlSchema, type GeneratedGraphql } from './graphql-schema.js';
import { buildOpenApi, type ApiDocument } from './openapi.js';
import { renderReference } from './reference.js';
import { CLIENT_GENERATED_DIR, renderOperations, renderRestTypes } from './client.js';
import { renderGraphqlDocuments } from './client-graphql.js';
import { loadSchemaNames, ROOT, SCHEMAS_DIR } from './schema-names.js';

/** Where the documents go, relative to the repository root. */
export const DOCS_DIR = 'docs/api';
/** The generated AppSync schema (realtime + one field per route), relative to the repository root. */
export const GRAPHQL_SCHEMA_FILE = 'schemas/api.graphql';

export interface GeneratedDocs {
  /** Path relative to the repository root -> file content. */
  readonly files: ReadonlyMap<string, string>;
  readonly api: ApiDocument;
  readonly entities: readonly Entity[];
  readonly routes: readonly RouteDef[];
  readonly graphql: GeneratedGraphql;
}

export async function generateDocs(routes: readonly RouteDef[] = ROUTES): Promise<GeneratedDocs> {
  const names = await loadSchemaNames();
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const api = buildOpenApi(routes, names, { version });
  const entities = findEntities(api, names, routes);
  const files = new Map<string, string>();
  files.set(`${DOCS_DIR}/openapi.json`, stableJson(api.document));
  for (const name of Object.keys(api.components.schemas).sort()) {
    files.set(`${DOCS_DIR}/schemas/${name}.json`, stableJson(standaloneSchema(name, api.components.schemas)));
  }
  files.set(`${CLIENT_GENERATED_DIR}/openapi.ts`, await renderRestTypes(api.document));
  files.set(`${CLIENT_GENERATED_DIR}/operations.ts`, renderOperations(api.document));
  files.set(`${DOCS_DIR}/entities.md`, renderEntitiesMarkdown(api, entities));
  const realtimeSdl = readFileSync(path.join(SCHEMAS_DIR, 'realtime.graphql'), 'utf8');
  const graphql = buildGraphqlSchema(routes, api, realtimeSdl);
  files.set(GRAPHQL_SCHEMA_FILE, graphql.sdl);
  files.set(`${CLIENT_GENERATED_DIR}/graphql.ts`, renderGraphqlDocuments(graphql.sdl));
  files.set(`${DOCS_DIR}/README.md`, renderReference({ document: api.document, routes, graphql: graphql.operations }));
  files.set(`${DOCS_DIR}/graphql.md`, renderGraphqlMarkdown({ sdl: realtimeSdl, eventRules: EVENT_RULES, operations: graphql.operations }));
  return { files, api, entities, routes, graphql };
}

/** The OpenAPI document as the local stack serves it: `servers` is the running API. */
export function openApiForServer(api: ApiDocument, serverUrl: string): Json {
  return { ...api.document, servers: [{ url: serverUrl, description: 'This local stack' }] };
}

/** One component as a self-contained JSON Schema file: what it references goes into `$defs`. */
function standaloneSchema(name: string, all: Record<string, Json>): Json {
  const defs = new Set<string>();
  const visit = (n: string) => {
    for (const ref of refsIn(all[n], new Set(), REF_PREFIX)) {
      if (ref === name || defs.has(ref)) continue;
      defs.add(ref);
      visit(ref);
    }
  };
  visit(name);
  const retarget = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(retarget);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)
          ? v.slice(REF_PREFIX.length) === name
            ? '#'
            : `#/$defs/${v.slice(REF_PREFIX.length)}`
          : retarget(v),
      ]),
    );
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${name}.json`,
    title: name,
    ...(retarget(all[name]) as Json),
    ...(defs.size ? { $defs: Object.fromEntries([...defs].sort().map((d) => [d, retarget(all[d])])) } : {}),
  };
}

/**
 * JSON with sorted keys, two-space indented, newline-terminated: the same input always gives the
 * same bytes. Property maps (`properties`) keep the schema's declaration order, which is how people
 * read an entity; that order is as deterministic as the code.
 */
export function stableJson(value: unknown): string {
  const sort = (v: unknown, keepOrder: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => sort(x, false));
    if (!v || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    if (!keepOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, x]) => [k, sort(x, k === 'properties' && !keepOrder)]));
  };
  return JSON.stringify(sort(value, false), null, 2) + '\n';
}

/**
 * The generated files that differ from (or are missing in) the repository, plus generated-looking
 * files there that nothing generates any more (a schema that was renamed or removed).
 */
export function staleFiles(files: ReadonlyMap<string, string>, root = ROOT): string[] {
  const stale: string[] = [];
  for (const [rel, content] of files) {
    const onDisk = existsSync(path.join(root, rel)) ? readFileSync(path.join(root, rel), 'utf8') : undefined;
    if (onDisk !== content) stale.push(rel);
  }
  const schemaDir = path.join(root, DOCS_DIR, 'schemas');
  if (existsSync(schemaDir)) {
    for (const file of readdirSync(schemaDir).sort()) {
      if (!files.has(`${DOCS_DIR}/schemas/${file}`)) stale.push(`${DOCS_DIR}/schemas/${file}`);
    }
  }
  return stale;
}
