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

export interface RespiteServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The one CareStack schedule group (MedicationsService): offer expiries, notices, late checks go there. */
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke the scheduled-work function (MedicationsService). */
  readonly schedulerRole: iam.IRole;
  /** Where fires that failed after the retries go (MedicationsService). */
  readonly deadLetters: sqs.IQueue;
  /** The target of every schedule; it runs respite's jobs (lambdas/scheduled-work/app.ts). */
  readonly scheduledWork: lambda.IFunction;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * Caregiver respite: one function serving profiles, budgets, sessions and offers (its routes come
 * from the route table into the REST API). It books aides on the one calendar (table items), and
 * sets one-time schedules (offer expiries, notices, the late check-in check) in the shared group,
 * targeting the scheduled-work function: the same scheduling permissions as the medications
 * function, and nothing else.
 */
export class RespiteService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: RespiteServiceProps) {
    super(scope, id);
    const groupName = props.scheduleGroup.name!;
    this.function = new CareFunction(this, 'Function', {
      functionId: 'respite',
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
        'Schedule names are derived at run time from offer and session ids (rsp-offer-<offerId>, rsp-<sessionId>-24h|1h|late); the wildcard is limited to the one CareStack schedule group.',
    });
  }
}
