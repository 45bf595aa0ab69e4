/**
 * The AppSync schema (`schemas/api.graphql`): the realtime API (`schemas/realtime.graphql`, kept
 * as it is) plus one `Query` or `Mutation` field per REST route, generated from the route table
 * and the JSON Schema components the OpenAPI document is built from (scripts/docs/components.ts),
 * so the zod schemas are walked once, by zod's own `toJSONSchema`, for both APIs.
 *
 * Mapping (docs/graphql.md gives the reasons):
 * - `GET` -> `Query`, any other method -> `Mutation`, named by the route's `operation`; the
 *   description starts with `METHOD /path`.
 * - arguments: path parameters as `ID!`, query parameters under their REST names, the body as
 *   `input: <Operation>Input` (`!` unless the body schema accepts no body), `idempotencyKey: String`
 *   where the route honours `Idempotency-Key`.
 * - results: the response schema as output types named after its components (`Patient`,
 *   `PatientPage` = `{ items: [Patient!]!, nextCursor: String }`), inline objects as
 *   `<Parent><Field>`, input objects as `<Component>Input`; 204 -> `Boolean`; a route that can
 *   answer text (`produces`) -> `AWSJSON`.
 * - ids: path parameters, and string fields named `id`/`...Id` (lists `...Ids`), are `ID`.
 * - scalars: `date-time` -> `AWSDateTime`, `date` -> `AWSDate`, `email` -> `AWSEmail`, integer ->
 *   `Int`, number -> `Float`, free maps, tuples and mixed unions -> `AWSJSON`; a union of objects
 *   becomes one type with every member's fields (the REST validation still applies to inputs).
 * - enums: a GraphQL enum with the REST values when every value is a valid GraphQL enum value;
 *   otherwise (`application/pdf`, `true`) `String`, with the values in the description.
 * - nullability: `!` where the schema requires the field and does not allow null.
 */
import { safeParse } from 'zod/v4/core';
import type { RouteDef } from '../../lambdas/shared/http/route-def.js';
import { REF_PREFIX, type Json } from './components.js';
import type { ApiDocument } from './openapi.js';
import { pathParams } from './openapi.js';
import { pascal } from './schema-names.js';

/** The auth directive on every generated field and type: user-pool tokens only, never IAM. */
export const USER_POOL_DIRECTIVE = '@aws_cognito_user_pools';

export interface GraphqlOperation {
  readonly route: RouteDef;
  readonly typeName: 'Query' | 'Mutation';
  readonly fieldName: string;
  /** Argument name -> where it goes in the REST request. */
  readonly args: Readonly<Record<string, 'path' | 'query' | 'body' | 'idempotencyKey'>>;
  /** The GraphQL result type as written in the schema (`Patient!`, `Boolean`, ...). */
  readonly resultType: string;
}

export interface GeneratedGraphql {
  /** The whole AppSync schema: realtime SDL with the generated fields and types merged in. */
  readonly sdl: string;
  readonly operations: readonly GraphqlOperation[];
}

/** Routes that have no GraphQL field (API.md: all but `GET /health` and the local-only ones). */
export const hasGraphqlField = (route: RouteDef): boolean => route.auth && !route.path.startsWith('/_local');

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const isEnumValueName = (v: unknown): v is string => typeof v === 'string' && NAME.test(v) && !['true', 'false', 'null'].includes(v);
const str = (s: string): string => JSON.stringify(s);

interface TypeRef {
  /** The named type or list, without the outer `!`. */
  readonly type: string;
  readonly nullable: boolean;
}

/** Builds GraphQL types from JSON Schema components; every name is claimed once, by one shape. */
class TypeBuilder {
  /** Name -> SDL definition, in creation order (sorted when written). */
  readonly definitions = new Map<string, string>();
  /** Name -> the JSON of what defined it, to catch two shapes claiming one name. */
  private readonly claims = new Map<string, string>();

  constructor(private readonly schemas: Record<string, Json>) {}

  private claim(name: string, shape: unknown): boolean {
    if (!NAME.test(name)) throw new Error(`GraphQL schema: ${name} is not a valid type name`);
    const key = JSON.stringify(shape);
    const had = this.claims.get(name);
    if (had === undefined) {
      this.claims.set(name, key);
      return true;
    }
    if (had !== key) throw new Error(`GraphQL schema: two different shapes would both be named ${name}`);
    return false;
  }

  private resolve(schema: Json): { schema: Json; name?: string } {
    const ref = schema.$ref;
    if (typeof ref === 'string' && ref.startsWith(REF_PREFIX)) {
      const name = ref.slice(REF_PREFIX.length);
      const target = this.schemas[name];
      if (!target) throw new Error(`GraphQL schema: no component ${name}`);
      return { schema: target, name };
    }
    return { schema };
  }

  typeOf(schema: Json, side: 'input' | 'output', hint: string): TypeRef {
    const { schema: s, name } = this.resolve(schema);
    const own = name ?? hint;

    const members = (s.anyOf ?? s.oneOf) as Json[] | undefined;
    if (members) {
      const nonNull = members.filter((m) => m.type !== 'null');
      const nullable = nonNull.length < members.length;
      if (nonNull.length === 1) return { type: this.typeOf(nonNull[0]!, side, own).type, nullable };
      const resolved = nonNull.map((m) => this.resolve(m).schema);
      if (resolved.every((m) => m.type === 'object' && m.properties)) {
        const merged: Json = { type: 'object', properties: Object.assign({}, ...resolved.map((m) => m.properties as Json)), required: [] };
        return { type: this.objectType(merged, side, own), nullable };
      }
      return { type: 'AWSJSON', nullable };
    }

    let type = s.type;
    let nullable = false;
    if (Array.isArray(type)) {
      nullable = type.includes('null');
      const rest = type.filter((t) => t !== 'null');
      type = rest.length === 1 ? rest[0] : undefined;
    }
    switch (type) {
      case 'string': {
        if (Array.isArray(s.enum)) return { type: this.enumType(s.enum, own, s), nullable };
        if (s.format === 'date-time') return { type: 'AWSDateTime', nullable };
        if (s.format === 'date') return { type: 'AWSDate', nullable };
        if (s.format === 'email') return { type: 'AWSEmail', nullable };
        return { type: 'String', nullable };
      }
      case 'integer':
        return { type: 'Int', nullable };
      case 'number':
        return { type: 'Float', nullable };
      case 'boolean':
        return { type: 'Boolean', nullable };
      case 'array': {
        if (Array.isArray(s.prefixItems)) {
          // A tuple (`["09:00", "17:00"]`): a list when every position has one scalar type.
          const parts = (s.prefixItems as Json[]).map((p, i) => this.typeOf(p, side, `${own}${i}`));
          const first = parts[0];
          if (first && parts.every((p) => p.type === first.type && !p.nullable) && /^[A-Z]\w*$/.test(first.type) && SCALARS.has(first.type)) {
            return { type: `[${first.type}!]`, nullable };
          }
          return { type: 'AWSJSON', nullable };
        }
        const item = this.typeOf((s.items as Json | undefined) ?? {}, side, `${own}Item`);
        return { type: `[${item.type}${item.nullable ? '' : '!'}]`, nullable };
      }
      case 'object':
        if (s.properties && Object.keys(s.properties).length > 0) return { type: this.objectType(s, side, own), nullable };
        return { type: 'AWSJSON', nullable };
      default:
        return { type: 'AWSJSON', nullable: true };
    }
  }

  private enumType(values: unknown[], name: string, schema: Json): string {
    if (!values.every(isEnumValueName)) return 'String';
    if (this.claim(name, { enum: values })) {
      const desc = typeof schema.description === 'string' ? `${str(schema.description)}\n` : '';
      this.definitions.set(name, `${desc}enum ${name} {\n${values.map((v) => `  ${v}`).join('\n')}\n}`);
    }
    return name;
  }

  objectType(schema: Json, side: 'input' | 'output', baseName: string): string {
    const name = side === 'input' && !baseName.endsWith('Input') ? `${baseName}Input` : baseName;
    if (!this.claim(name, { side, schema })) return name;
    this.definitions.set(name, ''); // claimed before the fields, so a cycle refers to it by name
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const lines: string[] = [];
    for (const [field, prop] of Object.entries(schema.properties as Record<string, Json>)) {
      if (!NAME.test(field)) throw new Error(`GraphQL schema: ${baseName}.${field} is not a valid field name`);
      const t = asId(field, this.typeOf(prop, side, `${baseName}${pascal(field)}`));
      const description = this.describe(prop);
      lines.push(`${description ? `  ${str(description)}\n` : ''}  ${field}: ${t.type}${required.has(field) && !t.nullable ? '!' : ''}`);
    }
    const desc = typeof schema.description === 'string' ? `${str(schema.description)}\n` : '';
    this.definitions.set(
      name,
      side === 'input' ? `${desc}input ${name} {\n${lines.join('\n')}\n}` : `${desc}type ${name} ${USER_POOL_DIRECTIVE} {\n${lines.join('\n')}\n}`,
    );
    return name;
  }

  /** A field's description, plus the allowed values of an enum that stayed a String. */
  describe(prop: Json): string {
    const { schema } = this.resolve(prop);
    const own = typeof prop.description === 'string' ? prop.description : typeof schema.description === 'string' && !prop.$ref ? schema.description : '';
    const values = Array.isArray(schema.enum) && !schema.enum.every(isEnumValueName) ? `One of: ${schema.enum.map(String).join(', ')}.` : '';
    return [own, values].filter(Boolean).join(' ');
  }
}

/** Ids are opaque strings: a string field named `id` or `...Id` (`...Ids` for lists) is an `ID`. */
function asId(field: string, t: TypeRef): TypeRef {
  if ((field === 'id' || /[a-z]Id$/.test(field)) && t.type === 'String') return { ...t, type: 'ID' };
  if (/[a-z]Ids$/.test(field) && t.type === '[String!]') return { ...t, type: '[ID!]' };
  return t;
}

const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID', 'AWSDateTime', 'AWSDate', 'AWSEmail', 'AWSJSON']);

/** Every REST route as a GraphQL field, merged into the realtime schema. */
export function buildGraphqlSchema(routes: readonly RouteDef[], api: ApiDocument, realtimeSdl: string): GeneratedGraphql {
  const { components } = api;
  const types = new TypeBuilder(components.schemas);
  const operations: GraphqlOperation[] = [];
  const fieldLines = { Query: [] as string[], Mutation: [] as string[] };

  for (const route of routes.filter(hasGraphqlField)) {
    const typeName = route.method === 'GET' ? 'Query' : 'Mutation';
    const args: Record<string, GraphqlOperation['args'][string]> = {};
    const argLines: string[] = [];
    const addArg = (name: string, where: GraphqlOperation['args'][string], type: string, description: string) => {
      if (args[name]) throw new Error(`GraphQL schema: ${route.operation} would have two arguments named ${name}`);
      if (!NAME.test(name)) throw new Error(`GraphQL schema: ${route.operation} argument ${name} is not a valid name`);
      args[name] = where;
      argLines.push(`${description ? `    ${str(description)}\n` : ''}    ${name}: ${type}`);
    };

    for (const name of pathParams(route.path)) addArg(name, 'path', 'ID!', '');
    if (route.query) {
      const q = components.schemas[components.nameOf(route.query, 'input')]!;
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, prop] of Object.entries((q.properties as Record<string, Json> | undefined) ?? {})) {
        const t = asId(name, types.typeOf(prop, 'input', `${pascal(route.operation)}${pascal(name)}`));
        addArg(name, 'query', `${t.type}${required.has(name) && !t.nullable ? '!' : ''}`, types.describe(prop));
      }
    }
    if (route.body) {
      const bodyName = components.nameOf(route.body, 'input');
      const inputName = types.objectType(bodyOf(components.schemas, bodyName), 'input', pascal(route.operation));
      addArg('input', 'body', `${inputName}${safeParse(route.body, undefined).success ? '' : '!'}`, '');
    }
    if (route.idempotent) addArg('idempotencyKey', 'idempotencyKey', 'String', 'As the REST Idempotency-Key header: the same key with the same input within 24 hours returns the first answer and creates nothing new.');

    let resultType: string;
    if ((route.status ?? 200) === 204 || !route.response) resultType = 'Boolean';
    else if (route.produces) resultType = 'AWSJSON';
    else {
      const t = types.typeOf({ $ref: REF_PREFIX + components.nameOf(route.response, 'output') }, 'output', `${pascal(route.operation)}Result`);
      resultType = `${t.type}${t.nullable ? '' : '!'}`;
    }
    // A failed call answers null with an error (AppSync's `util.error`), so the field itself is nullable.
    const fieldType = resultType.replace(/!$/, '');
    const description = `${route.method} ${route.path}: ${route.summary}.`;
    const argText = argLines.length ? `(\n${argLines.join('\n')}\n  )` : '';
    fieldLines[typeName].push(`  ${str(description)}\n  ${route.operation}${argText}: ${fieldType} ${USER_POOL_DIRECTIVE}`);
    operations.push({ route, typeName, fieldName: route.operation, args, resultType: fieldType });
  }

  const sdl = mergeIntoRealtime(realtimeSdl, fieldLines, [...types.definitions.keys()].sort().map((n) => types.definitions.get(n)!));
  return { sdl, operations };
}

/** A body component as an object schema (a union body merges its members). */
function bodyOf(schemas: Record<string, Json>, name: string): Json {
  const s = schemas[name]!;
  const members = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (!members) return s;
  const resolved = members.map((m) => (typeof m.$ref === 'string' ? schemas[m.$ref.slice(REF_PREFIX.length)]! : m));
  return { type: 'object', properties: Object.assign({}, ...resolved.map((m) => m.properties as Json)), required: [] };
}

export const GENERATED_HEADER = [
  '# CareStack AppSync schema. GENERATED by `npm run docs` (scripts/docs/graphql-schema.ts) from',
  '# schemas/realtime.graphql, the route table (lambdas/routes.ts) and the zod schemas: do not edit.',
  '# Every REST route is one field (docs/graphql.md); the realtime API is as in realtime.graphql.',
].join('\n');

/** The realtime SDL, its comments kept, with the generated fields appended to Query and Mutation. */
function mergeIntoRealtime(realtimeSdl: string, fields: { Query: string[]; Mutation: string[] }, definitions: string[]): string {
  let sdl = realtimeSdl.replace(/^(#.*\n)+\n?/, ''); // the realtime file's own header comment
  for (const typeName of ['Query', 'Mutation'] as const) {
    const block = new RegExp(`(type ${typeName} \\{\\n[\\s\\S]*?)\\n\\}`);
    if (!block.test(sdl)) throw new Error(`GraphQL schema: realtime.graphql has no type ${typeName} block`);
    sdl = sdl.replace(block, (_m, body: string) => `${body}\n\n  # Generated: one field per REST route.\n${fields[typeName].join('\n')}\n}`);
  }
  return `${GENERATED_HEADER}\n\n${sdl.trimEnd()}\n\n# Generated types.\n\n${definitions.join('\n\n')}\n`;
}
