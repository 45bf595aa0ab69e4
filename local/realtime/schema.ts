import {
  buildSchema,
  execute,
  getArgumentValues,
  GraphQLError,
  GraphQLScalarType,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { CareEvent } from '../../lambdas/shared/events/care-event.js';

/** What AppSync declares before any schema: its scalars and its auth/subscription directives. */
const APPSYNC_PRELUDE = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String!]) on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | INPUT_OBJECT | ENUM
directive @aws_iam on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | INPUT_OBJECT | ENUM
directive @aws_api_key on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | INPUT_OBJECT | ENUM
directive @aws_oidc on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | INPUT_OBJECT | ENUM
directive @aws_lambda on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | INPUT_OBJECT | ENUM
directive @aws_auth(cognito_groups: [String!]) on FIELD_DEFINITION
`;

/**
 * The schema with AppSync's scalars and directives declared first. `AWSJSON` behaves as on AppSync:
 * an argument is a JSON string the resolver gets parsed, a result is serialised to a JSON string.
 */
export function buildAppSyncSchema(sdl: string): GraphQLSchema {
  const schema = buildSchema(`${APPSYNC_PRELUDE}\n${sdl}`);
  const json = schema.getType('AWSJSON');
  if (json instanceof GraphQLScalarType) {
    json.serialize = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
    json.parseValue = (value: unknown) => parseJsonString(value);
    json.parseLiteral = (node) => parseJsonString(node.kind === Kind.STRING ? node.value : undefined);
  }
  return schema;
}

function parseJsonString(value: unknown): unknown {
  if (typeof value !== 'string') throw new GraphQLError('AWSJSON takes a JSON string');
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new GraphQLError('AWSJSON takes a valid JSON string');
  }
}

/** The subscription fields served locally. */
export const SUBSCRIPTION_FIELDS = ['onPatientEvent', 'onMyEvent'] as const;
export type SubscriptionField = (typeof SUBSCRIPTION_FIELDS)[number];

export interface ParsedSubscription {
  document: DocumentNode;
  operationName?: string;
  variables: Record<string, unknown>;
  fieldName: SubscriptionField;
  args: Record<string, unknown>;
}

/** A start request that cannot become a subscription; `errorType` as AppSync would name it. */
export class SubscriptionRequestError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses and validates a subscription request against the schema: one subscription operation
 * with one root field, `onPatientEvent(patientId)` or `onMyEvent`, with its arguments resolved
 * from the variables.
 */
export function parseSubscription(schema: GraphQLSchema, request: { query?: unknown; variables?: unknown; operationName?: unknown }): ParsedSubscription {
  if (typeof request.query !== 'string') throw new SubscriptionRequestError('MalformedRequestException', 'The request has no query string');
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (err) {
    throw new SubscriptionRequestError('ValidationError', (err as GraphQLError).message);
  }
  const errors = validate(schema, document);
  if (errors.length > 0) throw new SubscriptionRequestError('ValidationError', errors.map((e) => e.message).join('; '));

  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new SubscriptionRequestError('ValidationError', 'Name the operation to run (operationName)');
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) throw new SubscriptionRequestError('UnsupportedOperation', `${operation.operation} operations are not supported over the realtime endpoint`);
  const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename');
  const field = fields[0];
  if (fields.length !== 1 || !field) throw new SubscriptionRequestError('ValidationError', 'A subscription selects exactly one root field');
  const fieldName = field.name.value as SubscriptionField;
  if (!SUBSCRIPTION_FIELDS.includes(fieldName)) throw new SubscriptionRequestError('ValidationError', `Unknown subscription field ${fieldName}`);

  const variables = request.variables && typeof request.variables === 'object' ? (request.variables as Record<string, unknown>) : {};
  const definition = schema.getSubscriptionType()!.getFields()[fieldName]!;
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(definition, field, variables);
  } catch (err) {
    throw new SubscriptionRequestError('ValidationError', (err as Error).message);
  }
  return { document, ...(operationName ? { operationName } : {}), variables, fieldName, args };
}

/**
 * The `data` payload of a delivered event: the CareEvent projected onto the subscription's
 * selection set (aliases, fragments and __typename included), `data` as the AWSJSON string
 * AppSync returns.
 */
export function projectEvent(schema: GraphQLSchema, sub: ParsedSubscription, event: CareEvent): Record<string, unknown> {
  const wire = { ...event, data: event.data === undefined || event.data === null ? null : JSON.stringify(event.data) };
  const result = execute({
    schema,
    document: sub.document,
    rootValue: { [sub.fieldName]: wire },
    variableValues: sub.variables,
    ...(sub.operationName ? { operationName: sub.operationName } : {}),
  });
  if ('then' in result) throw new Error('projection must be synchronous');
  if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.data as Record<string, unknown>;
}
