import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ApiFunctionId } from '../../lambdas/functions.js';
import type { CareStackConfig } from '../config.js';
import { AccessReportsService } from '../services/access-reports.js';
import { TableOnlyService } from '../services/table-only.js';
import { ComplianceAccess } from '../services/compliance-access.js';
import { DeliveryService } from '../services/delivery.js';
import { IdentityService } from '../services/identity.js';
import { InvitationsService } from '../services/invitations.js';
import { ScheduledWorkEvents } from '../services/scheduled-work-events.js';
import { ConciergeService } from '../services/concierge.js';
import { HomeHealthService } from '../services/home-health.js';
import { MedicationsService } from '../services/medications.js';
import { RespiteService } from '../services/respite.js';
import { NotificationsService } from '../services/notifications.js';
import { MessagingService } from '../services/messaging.js';
import type { StatefulStack } from '../stateful/stateful-stack.js';
import { AUDIT_TABLE_NAME, AuditQuery } from './audit-query.js';
import { GraphqlFields } from './graphql-fields.js';
import { RealtimeApi } from './realtime-api.js';
import { StreamConsumers } from './stream-consumers.js';
import { OperationsDashboard } from '../constructs/operations-dashboard.js';

export interface StatelessStackProps extends StackProps {
  readonly config: CareStackConfig;
  /** The stack that owns the data; this one only references it. */
  readonly stateful: StatefulStack;
}

/**
 * Everything that can be torn down and rebuilt without losing data: the domain functions, the
 * realtime API, the stream consumers, the bus rules and the Athena catalog. The REST API in front
 * of the domain functions is the API stack's (api-stack.ts).
 */
export class StatelessStack extends Stack {
  /** The function of each API domain, for the REST API. */
  readonly apiFunctions: Readonly<Record<ApiFunctionId, lambda.IFunction>>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const logRetention = config.stage === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;
    const pool = stateful.userPool.userPool;

    const identity = new IdentityService(this, 'Identity', {
      table: stateful.table,
      userPool: pool,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const notifications = new NotificationsService(this, 'Notifications', {
      table: stateful.table,
      bus: stateful.bus,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const messaging = new MessagingService(this, 'Messaging', {
      table: stateful.table,
      attachmentsBucket: stateful.attachmentsBucket,
      attachmentsBucketArnExportName: stateful.attachmentsBucketArnExportName,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const assistedLiving = new TableOnlyService(this, 'AssistedLiving', {
      functionId: 'assistedLiving',
      table: stateful.table,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const invitations = new InvitationsService(this, 'Invitations', {
      table: stateful.table,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
      emailInvitations: !!(config.delivery.emailFrom && config.delivery.emailIdentity),
    });

    const medications = new MedicationsService(this, 'Medications', {
      stage: config.stage,
      table: stateful.table,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    // The events domains react to in scheduled work (incident report deadlines; docs/scheduling.md).
    new ScheduledWorkEvents(this, 'ScheduledWorkEvents', {
      bus: stateful.bus,
      scheduledWork: medications.scheduledWork.function,
      deadLetters: medications.deadLetters,
    });

    // Caregiver respite, on the same scheduling machinery (docs/scheduling.md, "Respite").
    const respite = new RespiteService(this, 'Respite', {
      table: stateful.table,
      key: stateful.key,
      logRetention,
      scheduling: medications.scheduling,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    const homeHealth = new HomeHealthService(this, 'HomeHealth', {
      table: stateful.table,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
      scheduling: medications.scheduling,
    });

    // Delivery off the app: NotificationCreated -> push, SMS, email; quiet-hours holds on the same schedules.
    new DeliveryService(this, 'Delivery', {
      table: stateful.table,
      bus: stateful.bus,
      key: stateful.key,
      logRetention,
      config: config.delivery,
      scheduling: { group: medications.scheduleGroup, role: medications.schedulerRole, deadLetters: medications.deadLetters },
    });

    const concierge = new ConciergeService(this, 'Concierge', {
      table: stateful.table,
      key: stateful.key,
      logRetention,
      scheduling: medications.scheduling,
      corsAllowOrigins: config.corsAllowOrigins,
    });

    // The audit catalog comes first: the access reports query it, and officers get credentials for it.
    const auditQuery = new AuditQuery(this, 'AuditQuery', {
      stage: config.stage,
      auditBucket: stateful.auditBucket,
      key: stateful.key,
    });
    const auditCatalog = {
      key: stateful.key,
      auditBucketArnExportName: stateful.auditBucketArnExportName,
      resultsBucketArnExportName: stateful.athenaResultsBucketArnExportName,
      workGroupName: auditQuery.workGroupName,
      databaseName: auditQuery.databaseName,
      tableName: AUDIT_TABLE_NAME,
    };
    const accessReports = new AccessReportsService(this, 'AccessReports', {
      ...auditCatalog,
      table: stateful.table,
      resultsBucket: stateful.athenaResultsBucket,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });
    const records = new TableOnlyService(this, 'Records', {
      functionId: 'records',
      table: stateful.table,
      key: stateful.key,
      logRetention,
      corsAllowOrigins: config.corsAllowOrigins,
    });
    const compliance = new ComplianceAccess(this, 'ComplianceAccess', {
      ...auditCatalog,
      userPool: pool,
      userPoolClient: stateful.userPool.client,
    });

    // Every domain's API function, one per id of lambdas/domains.ts: the type is the complete
    // record, so a domain missing here fails `npm run typecheck`, not synth.
    this.apiFunctions = {
      identity: identity.function.function,
      notifications: notifications.function.function,
      assistedLiving: assistedLiving.function.function,
      messaging: messaging.function.function,
      medications: medications.function.function,
      accessReports: accessReports.function.function,
      homeHealth: homeHealth.function.function,
      concierge: concierge.function.function,
      invitations: invitations.function.function,
      respite: respite.function.function,
      records: records.function.function,
    };

    const stream = new StreamConsumers(this, 'Stream', {
      table: stateful.table,
      auditBucket: stateful.auditBucket,
      auditBucketArnExportName: stateful.auditBucketArnExportName,
      auditJournalBucket: stateful.auditJournalBucket,
      auditJournalBucketArnExportName: stateful.auditJournalBucketArnExportName,
      bus: stateful.bus,
      key: stateful.key,
      logRetention,
    });

    const realtime = new RealtimeApi(this, 'Realtime', {
      userPool: pool,
      introspection: config.stage !== 'prod',
      table: stateful.table,
      bus: stateful.bus,
      key: stateful.key,
      logRetention,
    });

    // Every REST route as a query or mutation, resolved by the function that serves the route.
    new GraphqlFields(this, 'GraphqlFields', { api: realtime.api, functions: this.apiFunctions });
    stateful.operatorAlarms.watchGraphqlApi(realtime, realtime.api);
    // Last: every function and queue of both stacks has registered with the operator alarms by now.
    new OperationsDashboard(this, 'Operations', {
      stage: config.stage,
      alarms: stateful.operatorAlarms,
      graphqlApi: realtime.api,
      streams: { audit: stream.audit.function, events: stream.events.function },
    });

    // Output names are the contract's (API.md, "Outputs"); the local stack writes the same ones.
    new CfnOutput(this, 'GraphqlUrl', { value: realtime.api.graphqlUrl, description: 'AppSync GraphQL endpoint' });
    new CfnOutput(this, 'RealtimeUrl', { value: realtime.realtimeUrl, description: 'AppSync realtime (WebSocket) endpoint' });
    new CfnOutput(this, 'UserPoolId', { value: pool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: stateful.userPool.client.userPoolClientId });
    new CfnOutput(this, 'Region', { value: this.region });
    new CfnOutput(this, 'AuditDatabase', { value: auditQuery.databaseName, description: 'Glue database of audit_events' });
    new CfnOutput(this, 'AuditWorkGroup', { value: auditQuery.workGroupName, description: 'Athena workgroup for audit queries' });
    new CfnOutput(this, 'ComplianceIdentityPoolId', { value: compliance.identityPool.ref, description: 'Cognito identity pool: AWS credentials for compliance officers (docs/audit.md)' });
    new CfnOutput(this, 'AuditResultsBucket', { value: stateful.athenaResultsBucket.bucketName, description: 'Athena results: officers write under s3://<bucket>/org=<orgId>/' });
  }
}
