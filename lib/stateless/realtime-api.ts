import * as appsync from 'aws-cdk-lib/aws-appsync';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REALTIME_BUS_RULES, type RealtimeBusRule } from '../../lambdas/shared/events/realtime-rules.js';
import { GRAPHQL_LIMITS } from '../config.js';
import { fromRoot } from '../paths.js';
import { failureQueue } from './stream-consumers.js';

export interface RealtimeApiProps {
  readonly userPool: cognito.IUserPool;
  /**
   * Whether clients may introspect the schema (GraphiQL, codegen). Off in prod: the schema is
   * published in docs/api/graphql.md, not discoverable from the endpoint. @default true
   */
  readonly introspection?: boolean;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

export { CARE_TEAM_MEMBER_REMOVED } from '../../lambdas/shared/events/realtime-rules.js';

/** A shared rule's pattern in the CDK's spelling (`detailType`). */
const eventPattern = (rule: RealtimeBusRule): events.EventPattern => ({
  source: [...rule.pattern.source],
  ...(rule.pattern['detail-type'] ? { detailType: [...rule.pattern['detail-type']] } : {}),
});

const resolverCode = (name: string): appsync.Code => appsync.Code.fromAsset(fromRoot('schemas', 'resolvers', `${name}.js`));

/**
 * AppSync realtime: clients subscribe with Cognito tokens; only EventBridge (IAM) publishes. The
 * subscription resolvers decide who may listen (schemas/resolvers/), and the bus rules turn every
 * CareStack domain event into a `publish` mutation and every care-team removal into an
 * invalidation of the removed member's patient subscriptions.
 */
export class RealtimeApi extends Construct {
  readonly api: appsync.GraphqlApi;
  readonly deliveryFailures: sqs.Queue;

  constructor(scope: Construct, id: string, props: RealtimeApiProps) {
    super(scope, id);

    this.api = new appsync.GraphqlApi(this, 'Api', {
      name: 'carestack-realtime',
      // The whole schema: realtime plus one query or mutation per REST route (npm run docs).
      definition: appsync.Definition.fromFile(fromRoot('schemas', 'api.graphql')),
      queryDepthLimit: GRAPHQL_LIMITS.queryDepth,
      resolverCountLimit: GRAPHQL_LIMITS.resolverCount,
      introspectionConfig: props.introspection === false ? appsync.IntrospectionConfig.DISABLED : appsync.IntrospectionConfig.ENABLED,
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: appsync.AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [{ authorizationType: appsync.AuthorizationType.IAM }],
      },
      xrayEnabled: true,
    });

    // Logging is configured on the L1 resource with an explicit log group and role: the L2
    // `logConfig` would add a Lambda-backed LogRetention custom resource and an AWS-managed
    // policy. AppSync writes to this fixed name; the group has retention and the KMS key.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: props.logRetention,
      encryptionKey: props.key,
    });
    const logsRole = new iam.Role(this, 'LogsRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: 'AppSync -> its own CloudWatch log group',
    });
    new iam.ManagedPolicy(this, 'LogsPolicy', {
      roles: [logsRole],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    (this.api.node.defaultChild as appsync.CfnGraphQLApi).logConfig = {
      cloudWatchLogsRoleArn: logsRole.roleArn,
      // Errors only. Verbose content (the failing resolver's context) is kept for debugging:
      // realtime events carry ids and changed field names, never PHI values.
      fieldLogLevel: appsync.FieldLogLevel.ERROR,
      excludeVerboseContent: false,
    };

    const none = this.api.addNoneDataSource('None');
    // Read-only, and only GetItem on the base table: the subscription resolver checks one
    // care-team membership item.
    const tableRole = new iam.Role(this, 'TableReaderRole', {
      assumedBy: new iam.ServicePrincipal('appsync.amazonaws.com'),
      description: 'AppSync onPatientEvent membership check (GetItem only)',
    });
    new iam.ManagedPolicy(this, 'TableReaderPolicy', {
      roles: [tableRole],
      statements: [
        new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn] }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }),
      ],
    });
    const table = new appsync.DynamoDbDataSource(this, 'TableSource', {
      api: this.api,
      table: props.table,
      readOnlyAccess: true,
      // The grants below are the whole policy; the data source's own (index/*) grants are dropped.
      serviceRole: tableRole.withoutPolicyUpdates(),
      description: 'The single table, read-only (care-team membership check)',
    });

    const js = { runtime: appsync.FunctionRuntime.JS_1_0_0 };
    none.createResolver('PublishResolver', { typeName: 'Mutation', fieldName: 'publish', code: resolverCode('publish'), ...js });
    none.createResolver('RevokeResolver', {
      typeName: 'Mutation',
      fieldName: 'revokePatientAccess',
      code: resolverCode('revokePatientAccess'),
      ...js,
    });
    none.createResolver('HealthResolver', { typeName: 'Query', fieldName: 'health', code: resolverCode('health'), ...js });
    table.createResolver('OnPatientEventResolver', {
      typeName: 'Subscription',
      fieldName: 'onPatientEvent',
      code: resolverCode('onPatientEvent'),
      ...js,
    });
    none.createResolver('OnMyEventResolver', { typeName: 'Subscription', fieldName: 'onMyEvent', code: resolverCode('onMyEvent'), ...js });

    this.deliveryFailures = failureQueue(this, 'DeliveryFailures', props.key);

    // EventBridge may call exactly the two IAM-only mutations, nothing else of the API.
    const eventsRole = new iam.Role(this, 'EventsInvokeRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'EventBridge -> AppSync publish and revokePatientAccess',
    });
    new iam.ManagedPolicy(this, 'EventsInvokePolicy', {
      roles: [eventsRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['appsync:GraphQL'],
          resources: ['publish', 'revokePatientAccess'].map((f) => `${this.api.arn}/types/Mutation/fields/${f}`),
        }),
      ],
    });

    // Every CareStack domain event becomes a `publish` mutation. `detail` is a CareEvent whose
    // `data` the events function has already JSON-encoded (AWSJSON wants a JSON string).
    const field = (name: string): string => events.EventField.fromPath(`$.detail.${name}`);
    new events.Rule(this, 'PublishRule', {
      eventBus: props.bus,
      description: REALTIME_BUS_RULES.publish.description,
      eventPattern: eventPattern(REALTIME_BUS_RULES.publish),
      targets: [
        new targets.AppSync(this.api, {
          graphQLOperation:
            'mutation Publish($event: CareEventInput!) { publish(event: $event) { id orgId patientId recipientId type entityType entityId at data } }',
          variables: events.RuleTargetInput.fromObject({
            event: {
              id: field('id'),
              orgId: field('orgId'),
              patientId: field('patientId'),
              recipientId: field('recipientId'),
              type: field('type'),
              entityType: field('entityType'),
              entityId: field('entityId'),
              at: field('at'),
              data: field('data'),
            },
          }),
          eventRole: eventsRole,
          deadLetterQueue: this.deliveryFailures,
          retryAttempts: 8,
        }),
      ],
    });

    // A member removed from a care team loses their open patient subscriptions at once.
    new events.Rule(this, 'RevokeRule', {
      eventBus: props.bus,
      description: REALTIME_BUS_RULES.revokePatientAccess.description,
      eventPattern: eventPattern(REALTIME_BUS_RULES.revokePatientAccess),
      targets: [
        new targets.AppSync(this.api, {
          graphQLOperation: 'mutation Revoke($patientId: ID!, $userId: ID!) { revokePatientAccess(patientId: $patientId, userId: $userId) }',
          variables: events.RuleTargetInput.fromObject({
            patientId: field('patientId'),
            userId: field('recipientId'),
          }),
          eventRole: eventsRole,
          deadLetterQueue: this.deliveryFailures,
          retryAttempts: 8,
        }),
      ],
    });
  }

  /** AppSync's realtime (WebSocket) endpoint. */
  get realtimeUrl(): string {
    return (this.api.node.defaultChild as appsync.CfnGraphQLApi).attrRealtimeUrl;
  }
}
