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

export interface ConciergeServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The one CareStack schedule group (MedicationsService): appointment notices and lab escalations go there. */
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes; the only role the function may pass. */
  readonly schedulerRole: iam.IRole;
  /** Where fires that still failed after the retries go. */
  readonly deadLetters: sqs.IQueue;
  /** The target of every schedule. */
  readonly scheduledWork: lambda.IFunction;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * The medical concierge: one function serving providers, free slots, appointments, lab results and
 * treatment plans (routes from the route table). It books through the shared calendar in the table
 * and puts one-time schedules (appointment notices at start - 24 h and - 1 h, a critical result's
 * escalation) into the CareStack schedule group, targeting the scheduled-work function; it may pass
 * only the scheduler role.
 */
export class ConciergeService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: ConciergeServiceProps) {
    super(scope, id);
    const groupName = props.scheduleGroup.name;
    if (!groupName) throw new Error('ConciergeService needs a named schedule group');
    this.function = new CareFunction(this, 'Function', {
      functionId: 'concierge',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.scheduleGroupName]: groupName,
        [ENV.schedulerRoleArn]: props.schedulerRole.roleArn,
        [ENV.scheduleDlqArn]: props.deadLetters.queueArn,
        [ENV.scheduledWorkArn]: props.scheduledWork.functionArn,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    grantTableAccess(fn, props.table, props.key, 'readwrite');
    // The group must exist before the function can put schedules into it.
    fn.node.addDependency(props.scheduleGroup);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
        resources: [`arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.schedulerRole.roleArn] }));
    Validations.of(this.function).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
      reason:
        'Schedule names are derived at run time from appointment and lab result ids (appt-<id>-<start>-<24h|1h>, lab-<id>-esc); the wildcard is limited to the one CareStack schedule group.',
    });
  }
}
