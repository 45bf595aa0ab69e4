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

/** Runs one `{ query, variables, operationName }` request for a verified caller. */
export async function runGraphql(options: LocalGraphqlOptions, request: { query: string; variables?: unknown; operationName?: unknown }, caller: GraphqlCaller): Promise<AppSyncResponse> {
  const limits = options.limits ?? GRAPHQL_LIMITS;
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (err) {
    return { data: null, errors: [entry(err as GraphQLError, 'ValidationError')] };
  }
  const rules = [...specifiedRules, depthLimit(limits.queryDepth), resolverCountLimit(limits.resolverCount), ...(options.introspection === false ? [NoSchemaIntrospectionCustomRule] : [])];
  const invalid = validate(options.schema, document, rules);
  if (invalid.length > 0) return { data: null, errors: invalid.map((e) => entry(e, 'ValidationError')) };

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
