/**
 * Queries and mutations at the local `GraphqlUrl`, as AppSync runs them: the schema validates the
 * request (plus AppSync's depth and resolver-count limits) and nothing runs if it does not; each
 * generated field runs the shared resolver (schemas/resolvers/route.js) whose `Invoke` payload goes
 * to the same local function the REST gateway invokes; answers and errors in AppSync's shape.
 */
import {
  defaultFieldResolver,
  execute,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { GRAPHQL_LIMITS } from '../../lib/config.js';
import { ResolverError, type ResolverModule } from './resolver-runtime.js';

export { GRAPHQL_LIMITS } from '../../lib/config.js';

/** The realtime API's own root fields, as AppSync serves them to a user-pool caller. */
const IAM_ONLY_MUTATIONS = new Set(['publish', 'revokePatientAccess']);

export interface GraphqlCaller {
  /** The verified token's claims (ID or access token). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The HTTP request's headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
}

export interface LocalGraphqlOptions {
  readonly schema: GraphQLSchema;
  /** The shared resolver of the generated fields. */
  readonly resolver: ResolverModule;
  /** Invokes the function that serves a generated field with the resolver's payload; undefined: no such field. */
  readonly invoke: (fieldName: string, payload: unknown) => Promise<unknown> | undefined;
  /** @default GRAPHQL_LIMITS */
  readonly limits?: { readonly queryDepth: number; readonly resolverCount: number };
  /** @default - console */
  readonly logger?: Pick<Console, 'error'>;
  /**
   * Answer introspection (`__schema`, `__type`). The prod stage turns it off on AppSync
   * (lib/stateless/stateless-stack.ts); locally `npm start` keeps it on. @default true
   */
  readonly introspection?: boolean;
}

export interface AppSyncErrorEntry {
  path: ReadonlyArray<string | number> | null;
  data: null;
  errorType: string | null;
  errorInfo: unknown;
  locations: Array<{ line: number; column: number; sourceName: null }>;
  message: string;
}
export interface AppSyncResponse {
  data: unknown;
  errors?: AppSyncErrorEntry[];
}

/** A request's document as the schema and limits take it: parsed and valid, or the errors to answer. */
export type PreparedDocument = { readonly document: DocumentNode; readonly errors?: undefined } | { readonly document?: DocumentNode; readonly errors: AppSyncErrorEntry[] };

/** Documents no longer than this are remembered; a longer one is prepared for its request alone. */
const CACHEABLE_QUERY_CHARS = 16_384;
/** Distinct documents remembered per schema and rule set (the least recently used goes first). */
const CACHED_DOCUMENTS = 500;
const prepared = new WeakMap<GraphQLSchema, Map<string, PreparedDocument>>();

/**
 * Parses and validates a query once per distinct text (clients send the same few documents, and
 * graphql-js validation with the depth and resolver-count rules is most of the endpoint's own
 * cost); the answer for a text never changes while the schema and the rules are the same.
 * Variables are not part of it: `execute` coerces them per request.
 */
export function prepareDocument(options: Pick<LocalGraphqlOptions, 'schema' | 'limits' | 'introspection'>, query: string): PreparedDocument {
  const limits = options.limits ?? GRAPHQL_LIMITS;
  const key = `${limits.queryDepth}/${limits.resolverCount}/${options.introspection === false ? 0 : 1}\n${query}`;
  let cache = prepared.get(options.schema);
  const hit = cache?.get(key);
  if (hit) {
    cache!.delete(key);
    cache!.set(key, hit);
    return hit;
  }
  const result = prepareUncached(options.schema, limits, options.introspection !== false, query);
  if (query.length <= CACHEABLE_QUERY_CHARS) {
    if (!cache) prepared.set(options.schema, (cache = new Map<string, PreparedDocument>()));
    if (cache.size >= CACHED_DOCUMENTS) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
  }
  return result;
}

function prepareUncached(schema: GraphQLSchema, limits: { queryDepth: number; resolverCount: number }, introspection: boolean, query: string): PreparedDocument {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return { errors: [entry(err as GraphQLError, 'ValidationError')] };
  }
  const rules = [...specifiedRules, depthLimit(limits.queryDepth), resolverCountLimit(limits.resolverCount), ...(introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const invalid = validate(schema, document, rules);
  return invalid.length > 0 ? { document, errors: invalid.map((e) => entry(e, 'ValidationError')) } : { document };
}

/** Runs one `{ query, variables, operationName }` request for a verified caller. */
export async function runGraphql(options: LocalGraphqlOptions, request: { query: string; variables?: unknown; operationName?: unknown }, caller: GraphqlCaller): Promise<AppSyncResponse> {
  const ready = prepareDocument(options, request.query);
  if (ready.errors) return { data: null, errors: ready.errors };
  const document = ready.document;

  const variables = request.variables && typeof request.variables === 'object' ? (request.variables as Record<string, unknown>) : {};
  const resolveRoot: GraphQLFieldResolver<unknown, unknown> = async (source, args, context, info) => {
    if (info.path.prev !== undefined || (info.parentType.name !== 'Query' && info.parentType.name !== 'Mutation')) {
      return defaultFieldResolver(source, args, context, info);
    }
    const fieldName = info.fieldName;
    if (fieldName === 'health') return 'ok';
    if (IAM_ONLY_MUTATIONS.has(fieldName)) throw new ResolverError(`Not Authorized to access ${fieldName} on type Mutation`, 'Unauthorized');
    const ctx: Record<string, unknown> = {
      arguments: args,
      args,
      identity: {
        sub: caller.claims.sub,
        issuer: caller.claims.iss,
        username: caller.claims['cognito:username'] ?? caller.claims.username,
        claims: caller.claims,
        sourceIp: [],
        defaultAuthStrategy: 'ALLOW',
        groups: caller.claims['cognito:groups'] ?? null,
      },
      info: { fieldName, parentTypeName: info.parentType.name, variables, selectionSetList: [] },
      request: { headers: { ...caller.headers, 'x-amzn-requestid': caller.requestId }, domainName: null },
      source: null,
      stash: {},
      prev: null,
    };
    const invocation = options.resolver.request(ctx) as { operation?: string; payload?: unknown };
    // What AppSync sends Lambda is JSON: the function gets a plain copy.
    const payload = JSON.parse(JSON.stringify(invocation.payload ?? null)) as unknown;
    const pending = options.invoke(fieldName, payload);
    if (!pending) throw new ResolverError(`No data source for ${info.parentType.name}.${fieldName}`, 'MappingTemplate');
    let result: unknown = null;
    let error: { message: string; type: string } | undefined;
    try {
      result = JSON.parse(JSON.stringify((await pending) ?? null)) as unknown;
    } catch (err) {
      (options.logger ?? console).error(`[graphql] ${fieldName}: the function failed`, err);
      error = { message: 'Lambda invocation failed', type: 'Lambda:Unhandled' };
    }
    return options.resolver.response({ ...ctx, result, ...(error ? { error } : {}) });
  };

  const result = await execute({
    schema: options.schema,
    document,
    variableValues: variables,
    ...(typeof request.operationName === 'string' ? { operationName: request.operationName } : {}),
    fieldResolver: resolveRoot,
  });
  const errors = (result.errors ?? []).map((e) => {
    const original = e.originalError;
    if (original instanceof ResolverError) return { ...entry(e, original.errorType), errorInfo: original.errorInfo ?? null };
    if (original && !(original instanceof GraphQLError)) {
      (options.logger ?? console).error('[graphql] unexpected error', original);
      return { ...entry(e, 'InternalFailure'), message: 'An internal failure occurred' };
    }
    return entry(e, e.path ? 'ExecutionError' : 'ValidationError');
  });
  return { data: result.data ?? null, ...(errors.length ? { errors } : {}) };
}

function entry(e: GraphQLError, errorType: string | null): AppSyncErrorEntry {
  return {
    path: e.path ?? null,
    data: null,
    errorType,
    errorInfo: null,
    locations: (e.locations ?? []).map((l) => ({ line: l.line, column: l.column, sourceName: null })),
    message: e.message,
  };
}

const fragmentsOf = (document: DocumentNode): Map<string, FragmentDefinitionNode> =>
  new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));

/** Nesting depth of a selection set: a root field is depth 1; fragments add no depth of their own. */
function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: ReadonlySet<string>): number {
  let max = 0;
  for (const sel of set?.selections ?? []) {
    if (sel.kind === Kind.FIELD) max = Math.max(max, 1 + depthOf(sel.selectionSet, fragments, seen));
    else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    else if (!seen.has(sel.name.value)) max = Math.max(max, depthOf(fragments.get(sel.name.value)?.selectionSet, fragments, new Set([...seen, sel.name.value])));
  }
  return max;
}

/** AppSync's `queryDepthLimit`. */
export function depthLimit(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, fragmentsOf(context.getDocument()), new Set());
      if (depth > max) context.reportError(new GraphQLError(`The query has depth ${depth}, over the limit of ${max}`, { nodes: [node] }));
    },
  });
}

/** Root fields the request would resolve (aliases each count; introspection and __typename do not). */
function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: ReadonlySet<string>): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) n += sel.name.value.startsWith('__') ? 0 : 1;
    else if (sel.kind === Kind.INLINE_FRAGMENT) n += rootFields(sel.selectionSet, fragments, seen);
    else {
      const fragment = fragments.get(sel.name.value);
      if (fragment && !seen.has(sel.name.value)) n += rootFields(fragment.selectionSet, fragments, new Set([...seen, sel.name.value]));
    }
  }
  return n;
}

/** AppSync's `resolverCountLimit`: every generated field is a root field with one resolver. */
export function resolverCountLimit(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const count = rootFields(node.selectionSet, fragmentsOf(context.getDocument()), new Set());
      if (count > max) context.reportError(new GraphQLError(`The query would run ${count} resolvers, over the limit of ${max}`, { nodes: [node] }));
    },
  });
}
