import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { grantScheduleManagement, schedulingEnvironment, type ScheduleAccess } from '../constructs/schedule-access.js';
import { failureQueue } from '../stateless/stream-consumers.js';
import { OperatorAlarms } from '../constructs/operator-alarms.js';

export interface MedicationsServiceProps {
  /** Names the schedule group `carestack-<stage>-schedules`. */
  readonly stage: string;
  readonly table: dynamodb.ITable;
  /** Encrypts the log groups and the dead-letter queue. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the medications function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * Medication adherence and the scheduling machinery every domain uses (docs/scheduling.md):
 * - an EventBridge Scheduler schedule group that holds every CareStack schedule;
 * - the scheduled-work function, the one target of those schedules (dose slots, missed-dose checks,
 *   incident deadlines);
 * - a dedicated role that Scheduler assumes: it may invoke only that function and send only to the
 *   schedule DLQ (an encrypted, TLS-only SQS queue for fires that failed after the retries);
 * - the medications function (REST routes from the route table), which creates, replaces and
 *   deletes schedules in the group and may pass only that role.
 */
export class MedicationsService extends Construct {
  readonly function: CareFunction;
  readonly scheduledWork: CareFunction;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly deadLetters: sqs.Queue;
  /** What other domains that put schedules are given (lib/constructs/schedule-access.ts). */
  readonly scheduling: ScheduleAccess;

  constructor(scope: Construct, id: string, props: MedicationsServiceProps) {
    super(scope, id);

    // A known name (like the stack's exports): the permissions and their review name it.
    const groupName = `carestack-${props.stage}-schedules`;
    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', { name: groupName });
    OperatorAlarms.of(this).watchScheduleGroup(this, groupName);

    this.deadLetters = failureQueue(this, 'ScheduleDeadLetters', props.key);

    this.scheduledWork = new CareFunction(this, 'ScheduledWork', {
      functionId: 'scheduledWork',
      environment: { [ENV.tableName]: props.table.tableName },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      // Scheduler and the bus invoke it asynchronously: Lambda retries twice more, then the same DLQ.
      asyncInvocation: { deadLetterQueue: this.deadLetters, retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    const work = this.scheduledWork.function;

    // The role EventBridge Scheduler assumes, confused-deputy safe: only Scheduler of this account.
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invoke the scheduled-work function, dead-letter to its queue',
    });
    // A managed policy (not inline) on the hand-made role, naming each resource.
    new iam.ManagedPolicy(this, 'SchedulerPolicy', {
      roles: [this.schedulerRole],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [work.functionArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }),
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.key.keyArn] }),
      ],
    });

    this.scheduling = { scheduleGroup: this.scheduleGroup, schedulerRole: this.schedulerRole, deadLetters: this.deadLetters, scheduledWork: work };
    const names = 'med-<id>-<HHMM>, miss-<doseId>, inc-<incidentId>';

    // The scheduled-work function sets one-time schedules (missed-dose checks) targeting itself and
    // removes schedules a medication no longer wants; its own ARN comes from the invocation context.
    for (const [name, value] of Object.entries(schedulingEnvironment(this.scheduling, 'self'))) work.addEnvironment(name, value);
    grantTableAccess(work, props.table, props.key, 'readwrite');
    grantScheduleManagement(this.scheduledWork, work, this.scheduling, names);

    this.function = new CareFunction(this, 'Function', {
      functionId: 'medications',
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...schedulingEnvironment(this.scheduling),
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
    grantScheduleManagement(this.function, this.function.function, this.scheduling, names);

    Validations.of(this.scheduledWork).acknowledge(
      ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: `Generated by CDK's grant to send to the KMS-encrypted dead-letter queue: ${action} on the one data key (resource-scoped); the wildcard only spans that action's variants.`,
      })),
    );
  }
}
