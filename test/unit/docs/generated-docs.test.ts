/**
 * The API documents under docs/api/ are generated from the route table and the zod schemas
 * (`npm run docs`). These tests regenerate them in memory: the committed files must be what the
 * code says, and every route must be in the OpenAPI document with its schemas and roles.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ROUTES } from '../../../lambdas/routes.js';
import type { RouteDef } from '../../../lambdas/shared/http/route-def.js';
import { ErrorBody, ListOf } from '../../../schemas/common.js';
import { Patient } from '../../../schemas/identity.js';
import { DOCS_DIR, generateDocs, openApiForServer, stableJson, staleFiles, type GeneratedDocs } from '../../../scripts/docs/generate.js';
import { unwrap } from '../../../scripts/docs/schema-names.js';
import type { Json as Parsed } from '../../support/json.js';

type Json = Record<string, Parsed>;
let docs: GeneratedDocs;
let openapi: Json;

beforeAll(async () => {
  docs = await generateDocs();
  openapi = docs.api.document;
});

const componentOf = (ref: unknown): Json => {
  expect(typeof ref).toBe('string');
  const name = String(ref).replace('#/components/schemas/', '');
  const schema = openapi.components.schemas[name];
  expect(schema, `component ${name}`).toBeDefined();
  return schema;
};
const shapeKeys = (schema: z.core.$ZodType): string[] => {
  const s = unwrap(schema);
  return s._zod.def.type === 'object' ? Object.keys((s as z.ZodObject).shape) : [];
};

describe('committed documents', () => {
  it('are what `npm run docs` generates from the code', () => {
    const stale = staleFiles(docs.files);
    expect(stale, `docs/api/ is out of date with the route table and schemas: run \`npm run docs\` and commit docs/api/ (stale: ${stale.join(', ')})`).toEqual([]);
  });

  it('notices a changed, a missing and an orphaned file', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'carestack-docs-'));
    try {
      await mkdir(path.join(root, DOCS_DIR, 'schemas'), { recursive: true });
      for (const [rel, content] of docs.files) {
        await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
        await writeFile(path.join(root, rel), content);
      }
      expect(staleFiles(docs.files, root)).toEqual([]);
      await writeFile(path.join(root, DOCS_DIR, 'entities.md'), 'edited by hand\n');
      await rm(path.join(root, DOCS_DIR, 'openapi.json'));
      await writeFile(path.join(root, DOCS_DIR, 'schemas', 'Gone.json'), '{}\n');
      expect(staleFiles(docs.files, root).sort()).toEqual([`${DOCS_DIR}/entities.md`, `${DOCS_DIR}/openapi.json`, `${DOCS_DIR}/schemas/Gone.json`]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('are byte-for-byte the same on every run (sorted keys, no timestamps)', async () => {
    const again = await generateDocs();
    expect([...again.files.keys()]).toEqual([...docs.files.keys()]);
    for (const [rel, content] of docs.files) expect(again.files.get(rel), rel).toBe(content);
    expect(stableJson({ b: 1, a: { d: 1, c: 2 }, properties: { z: 1, y: 2 } })).toBe(
      '{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1,\n  "properties": {\n    "z": 1,\n    "y": 2\n  }\n}\n',
    );
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the Cognito bearer scheme and the contract error shape', () => {
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.components.securitySchemes.cognito).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(openapi.components.schemas.ErrorBody).toEqual(z.toJSONSchema(ErrorBody, { target: 'draft-2020-12', io: 'output' }) && expect.objectContaining({ required: ['message', 'error'] }));
    for (const status of ['400', '401', '403', '404', '409', '413', '422', '429', '500']) {
      const name = Object.keys(openapi.components.responses).find((n) => openapi.components.responses[n].description.startsWith(status));
      expect(name, `error response ${status}`).toBeDefined();
      expect(openapi.components.responses[name!].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorBody');
    }
  });

  it('has every route of the route table with its roles, parameters and schemas', () => {
    expect(ROUTES.length).toBeGreaterThan(0);
    const documented = Object.entries(openapi.paths as Json).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());

    for (const route of ROUTES) {
      const where = `${route.method} ${route.path}`;
      const op = openapi.paths[route.path][route.method.toLowerCase()];
      expect(op.operationId, where).toBe(route.operation);
      expect(op.summary, where).toBe(route.summary);
      expect(op['x-roles'], where).toEqual(!route.auth ? [] : route.roles === 'any' ? ['admin', 'coordinator', 'aide', 'clinician', 'family', 'patient', 'compliance'] : route.roles);
      for (const role of route.roles === 'any' ? [] : route.roles) expect(op.description, where).toContain(`\`${role}\``);
      expect(op.security, where).toEqual(route.auth ? [{ cognito: [] }] : []);

      const params = (op.parameters ?? []) as Json[];
      for (const name of [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        expect(params.find((p) => p.in === 'path' && p.name === name), `${where}: path parameter ${name}`).toMatchObject({ required: true });
      }
      if (route.params) expect(shapeKeys(route.params).sort(), where).toEqual(params.filter((p) => p.in === 'path').map((p) => p.name).sort());
      if (route.query) expect(params.filter((p) => p.in === 'query').map((p) => p.name), where).toEqual(shapeKeys(route.query));
      else expect(params.filter((p) => p.in === 'query'), where).toEqual([]);
      expect(params.some((p) => p.$ref === '#/components/parameters/IdempotencyKey'), where).toBe(route.idempotent ?? false);

      if (route.body) {
        const body = componentOf(op.requestBody.content['application/json'].schema.$ref);
        expect(Object.keys(body.properties ?? {}).sort(), where).toEqual(shapeKeys(route.body).sort());
        expect(op.responses['413'], where).toBeDefined();
      } else {
        expect(op.requestBody, where).toBeUndefined();
      }
      const status = String(route.status ?? 200);
      expect(op.responses[status], where).toBeDefined();
      if (route.response && status !== '204') {
        const response = componentOf(op.responses[status].content['application/json'].schema.$ref);
        expect(Object.keys(response.properties ?? {}).sort(), where).toEqual(shapeKeys(route.response).sort());
      }
      expect(op.responses['401'] !== undefined, where).toBe(route.auth);
      expect(op.responses['403'] !== undefined, where).toBe(route.auth && route.roles !== 'any');
      expect(op.responses['422'] !== undefined, where).toBe(route.idempotent ?? false);
      expect(op.responses['500'], where).toBeDefined();
    }
  });

  it('documents GET /health without auth and the list query of GET /patients', () => {
    const health = openapi.paths['/health'].get;
    expect(health.security).toEqual([]);
    expect(health.responses['401']).toBeUndefined();
    const list = openapi.paths['/patients'].get;
    expect(list.parameters.map((p: Json) => [p.name, p.in, p.schema.default])).toEqual([
      ['limit', 'query', 25],
      ['cursor', 'query', undefined],
    ]);
    expect(componentOf(list.responses['200'].content['application/json'].schema.$ref).properties.items.items.$ref).toBe('#/components/schemas/Patient');
  });

  it('has a JSON Schema file per component, self-contained', () => {
    for (const name of Object.keys(openapi.components.schemas)) {
      const file = docs.files.get(`${DOCS_DIR}/schemas/${name}.json`);
      expect(file, name).toBeDefined();
      const schema = JSON.parse(file!);
      expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: name });
      for (const ref of file!.match(/"\$ref": "[^"]+"/g) ?? []) {
        const target = /"#\/\$defs\/([^"]+)"/.exec(ref)?.[1];
        if (ref !== '"$ref": "#"') expect(target && schema.$defs?.[target], `${name}: ${ref}`).toBeTruthy();
      }
    }
  });

  it('leaves the playground out of the route table, so the CDK app never has it', () => {
    expect(ROUTES.filter((r) => r.path === '/docs' || r.path.startsWith('/docs/'))).toEqual([]);
  });

  it('is served with the running API as its server', () => {
    const served = openApiForServer(docs.api, 'http://127.0.0.1:4321');
    expect(served.servers).toEqual([{ url: 'http://127.0.0.1:4321', description: 'This local stack' }]);
    expect(openapi.servers[0].url).toBe('http://localhost:3000');
  });
});

describe('generation from any route table', () => {
  // A made-up domain: what a helper adding routes gets without touching the generator.
  const Widget = z.object({
    id: z.string(),
    version: z.number().int(),
    createdAt: z.string(),
    patientId: z.string().describe('The patient the widget is for'),
    ownerIds: z.array(z.string()).meta({ references: 'User' }),
  });
  const WidgetQuery = z.strictObject({ size: z.coerce.number().int().default(3) });
  const routes: RouteDef[] = [
    ...ROUTES.filter((r) => r.path.startsWith('/patients')),
    {
      method: 'POST', path: '/patients/{patientId}/widgets', fn: 'identity', auth: true, roles: ['clinician'], summary: 'Make a widget', operation: 'makeWidget',
      body: z.strictObject({ label: z.string().default('w') }), response: Widget, status: 201, idempotent: true,
    },
    { method: 'GET', path: '/widgets', operation: 'listWidgets', fn: 'identity', auth: true, roles: 'any', summary: 'Widgets', query: WidgetQuery, response: ListOf(Widget) },
    { method: 'GET', path: '/patients/{patientId}/widgets', operation: 'listPatientWidgets', fn: 'identity', auth: true, roles: 'any', summary: "A patient's widgets", response: ListOf(Widget) },
    { method: 'GET', path: '/other-widgets', operation: 'listOtherWidgets', fn: 'identity', auth: true, roles: 'any', summary: 'Other', response: z.object({ items: z.array(Widget), nextCursor: z.number() }) },
  ] as RouteDef[];
  let gen: GeneratedDocs;
  beforeAll(async () => {
    gen = await generateDocs(routes);
  });

  it("names unnamed schemas after their route's operation and inputs that differ from outputs", () => {
    const op = gen.api.document.paths as Json;
    expect(op['/patients/{patientId}/widgets'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/MakeWidgetBody');
    expect(op['/patients/{patientId}/widgets'].post.responses['201'].content['application/json'].schema.$ref).toBe('#/components/schemas/MakeWidgetResponse');
    expect(op['/widgets'].get.parameters).toEqual([{ name: 'size', in: 'query', required: false, schema: { type: 'integer', default: 3, minimum: expect.any(Number), maximum: expect.any(Number) } }]);
    expect(gen.api.components.schemas.MakeWidgetBody).toMatchObject({ properties: { label: { default: 'w' } } });
    expect(gen.api.components.schemas.MakeWidgetBody!.required).toBeUndefined();
  });


  it('finds entities and their links, and describes fields', () => {
    const widget = gen.entities.find((e) => e.name === 'MakeWidgetResponse');
    // An unnamed response is not an entity of the dictionary (it has no name of its own) ...
    expect(widget).toBeUndefined();
    expect(gen.entities.map((e) => e.name)).toContain('Patient');
    const patient = gen.entities.find((e) => e.name === 'Patient')!;
    expect(patient.routes).toContain('GET /patients');
    expect(patient.links).toEqual([]);
    const md = gen.files.get(`${DOCS_DIR}/entities.md`)!;
    expect(md).toContain('```mermaid\nerDiagram\n');
    expect(md).toContain('### Patient');
    expect(md).toContain('| `displayName` | string | yes |');
  });

  it('picks up a named schema from the schema modules as an entity with links', async () => {
    const names = await import('../../../scripts/docs/schema-names.js');
    const real = await names.loadSchemaNames();
    const withWidget = { nameOf: (s: z.core.$ZodType) => (s === Widget ? 'Widget' : real.nameOf(s)), named: new Map([...real.named, ['Widget', Widget]]) };
    const { buildOpenApi } = await import('../../../scripts/docs/openapi.js');
    const { findEntities, renderEntitiesMarkdown } = await import('../../../scripts/docs/entities.js');
    const api = buildOpenApi(routes, withWidget, { version: '0' });
    const entities = findEntities(api, withWidget, routes);
    const widget = entities.find((e) => e.name === 'Widget')!;
    expect(widget.routes).toEqual(['POST /patients/{patientId}/widgets', 'GET /widgets', 'GET /patients/{patientId}/widgets', 'GET /other-widgets']);
    expect(widget.links).toEqual([
      { field: 'patientId', target: 'Patient', many: false, required: true },
      { field: 'ownerIds', target: 'User', many: true, required: true },
    ]);
    const md = renderEntitiesMarkdown(api, entities);
    expect(md).toContain('  Patient ||--o{ Widget : "patientId"');
    expect(md).toContain('  User }o--o{ Widget : "ownerIds"');
    expect(md).toContain('| `patientId` | string | yes | The patient the widget is for -> [Patient](#patient) |');
    expect(api.components.schemas.Widget).not.toHaveProperty('properties.ownerIds.references');

    // Alike list shapes built by different routes share one component; an unlike one gets its own.
    const paths = api.document.paths as Json;
    const ref = (p: string) => paths[p].get.responses['200'].content['application/json'].schema.$ref;
    expect(ref('/widgets')).toBe('#/components/schemas/WidgetPage');
    expect(ref('/patients/{patientId}/widgets')).toBe('#/components/schemas/WidgetPage');
    expect(ref('/other-widgets')).toBe('#/components/schemas/ListOtherWidgetsResponse');
  });
});

describe('the GraphQL documentation', () => {
  it('documents every query and mutation with its route, who may call it, arguments, result and errors', () => {
    const md = docs.files.get(`${DOCS_DIR}/graphql.md`)!;
    for (const route of ROUTES.filter((r) => r.auth)) {
      expect(md).toContain(`### ${route.operation}\n`);
      expect(md).toContain(`field for \`${route.method} ${route.path}\``);
    }
    const section = md.slice(md.indexOf('### reportIncident\n'));
    expect(section).toMatch(/- \*\*Who:\*\* `admin`, `coordinator`/);
    expect(section).toContain('`patientId` (path parameter), `input` (the request body), `idempotencyKey` (the `Idempotency-Key` header)');
    expect(section).toContain('- **Result:** `Incident`');
    expect(section).toMatch(/- \*\*Errors \(`errorType`\):\*\* `validation_failed`, `unauthenticated`, `forbidden`, `not_found`/);
  });
});

describe('the realtime documentation', () => {
  it('lists the subscriptions with who may subscribe, and every event rule', async () => {
    const md = docs.files.get(`${DOCS_DIR}/graphql.md`)!;
    expect(md).toContain('### `onPatientEvent(patientId: ID!): CareEvent`');
    expect(md).toContain('### `onMyEvent: CareEvent`');
    expect(md).toContain('**Who may subscribe**');
    const { EVENT_RULES } = await import('../../../lambdas/events/event-map.js');
    for (const [entityType, rule] of Object.entries(EVENT_RULES)) {
      expect(md).toContain(`| \`${entityType}\` |`);
      for (const t of [rule.INSERT, rule.MODIFY, rule.REMOVE]) if (t) expect(md).toContain(`\`${t}\``);
    }
  });
});

// Keeps the import of Patient meaningful: the data dictionary covers its every field.
it('documents every field of Patient', () => {
  const md = docs.files.get(`${DOCS_DIR}/entities.md`)!;
  for (const field of Object.keys(Patient.shape)) expect(md).toContain(`| \`${field}\` |`);
});

describe('the API reference (docs/api/README.md)', () => {
  const section = (route: RouteDef): string => {
    const text = docs.files.get(`${DOCS_DIR}/README.md`)!;
    const start = text.indexOf(`### \`${route.operation}\`: \`${route.method} ${route.path}\``);
    expect(start, `${route.method} ${route.path} has a section`).toBeGreaterThan(0);
    const end = text.indexOf('\n### ', start + 1);
    return text.slice(start, end < 0 ? undefined : end);
  };

  it('has a section per route with who, the GraphQL field, the answer, the errors and an example', () => {
    for (const route of ROUTES) {
      const s = section(route);
      const where = `${route.method} ${route.path}`;
      expect(s, where).toContain('- **Who:** ');
      if (route.auth) expect(s, where).toMatch(new RegExp(`\\*\\*GraphQL:\\*\\* \`(Query|Mutation)\\.${route.operation}\\(`));
      else expect(s, where).toContain('**GraphQL:** none');
      expect(s, where).toContain(`- **Answer:** ${route.status ?? 200}`);
      expect(s, where).toMatch(/\*\*Errors:\*\* 400 `validation_failed`/);
      expect(s, where).toContain(`curl -s -X ${route.method} "$API/`);
      if (route.auth && route.roles !== 'any') for (const role of route.roles) expect(s, where).toContain(`\`${role}\``);
    }
  });

  it('spells out body fields with their allowed values and whether they are required', () => {
    const report = section(ROUTES.find((r) => r.operation === 'reportIncident')!);
    expect(report).toMatch(/\| `severity` \| `low` \\\| `moderate` \\\| `high` \\\| `critical` \| yes \|/);
    expect(report).toMatch(/\| `location` \| string \| no \| 1\.\.200 chars \|/);
    expect(report).toContain('-H "idempotency-key: $(uuidgen)"');
  });
});
