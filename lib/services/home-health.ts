import { Aws, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

/** The scheduling machinery the medications construct owns (docs/scheduling.md), reused here. */
export interface HomeHealthScheduling {
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke `scheduledWork`. */
  readonly schedulerRole: iam.IRole;
  /** Where fires that failed after their retries go. */
  readonly deadLetters: sqs.IQueue;
  /** The one target of every schedule: it runs the visits' late and missed checks. */
  readonly scheduledWork: lambda.IFunction;
}

export interface HomeHealthServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly scheduling: HomeHealthScheduling;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * Home health: one function serving aides, visits with EVV, day routes, supplies and service logs
 * (its routes come from the route table). It books aides on the shared calendar in the table, and
 * sets each assigned visit's one-time late and missed checks in the CareStack schedule group,
 * targeting the scheduled-work function with the scheduler role (which it may pass, and nothing
 * else). Events, realtime and notifications follow from the table's stream.
 */
export class HomeHealthService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: HomeHealthServiceProps) {
    super(scope, id);
    const { scheduleGroup, schedulerRole, deadLetters, scheduledWork } = props.scheduling;
    const groupName = scheduleGroup.name;
    if (!groupName) throw new Error('HomeHealthService needs a schedule group with a name');

    this.function = new CareFunction(this, 'Function', {
      functionId: 'homeHealth',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.scheduleGroupName]: groupName,
        [ENV.scheduledWorkArn]: scheduledWork.functionArn,
        [ENV.schedulerRoleArn]: schedulerRole.roleArn,
        [ENV.scheduleDlqArn]: deadLetters.queueArn,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    // Visits, calendar days, aides, supplies, logs, idempotency and access records: table + indexes, no Scan.
    grantTableAccess(fn, props.table, props.key, 'readwrite');
    // The group must exist before a function can put schedules into it.
    fn.node.addDependency(scheduleGroup);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        resources: [`arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [schedulerRole.roleArn] }));
    Validations.of(this.function).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
      reason: 'Schedule names are derived at run time from visit ids (visit-<id>-late, visit-<id>-missed); the wildcard is limited to the one CareStack schedule group.',
    });
  }
}
