import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';

/**
 * The scheduling machinery every domain shares (docs/scheduling.md), owned by the medications
 * construct: the one schedule group, the role Scheduler assumes, the DLQ of failed fires and the
 * scheduled-work function every schedule targets.
 */
export interface ScheduleAccess {
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.IRole;
  readonly deadLetters: sqs.IQueue;
  readonly scheduledWork: lambda.IFunction;
}

/** The name of the schedule group; a group without one cannot be granted on. */
export function scheduleGroupName(access: Pick<ScheduleAccess, 'scheduleGroup'>): string {
  const name = access.scheduleGroup.name;
  if (!name) throw new Error('The CareStack schedule group needs a name');
  return name;
}

/**
 * What a function that puts schedules reads (`schedulerFromEnvironment`): the group, the role to
 * pass, the DLQ and, unless it is the target itself, the scheduled-work function's ARN.
 */
export function schedulingEnvironment(access: ScheduleAccess, target: 'scheduledWork' | 'self' = 'scheduledWork'): Record<string, string> {
  return {
    [ENV.scheduleGroupName]: scheduleGroupName(access),
    [ENV.schedulerRoleArn]: access.schedulerRole.roleArn,
    [ENV.scheduleDlqArn]: access.deadLetters.queueArn,
    ...(target === 'scheduledWork' ? { [ENV.scheduledWorkArn]: access.scheduledWork.functionArn } : {}),
  };
}

/**
 * Lets `fn` create, update, delete and read schedules of the one group and pass only the scheduler
 * role; `owner` (its CareFunction) carries the nag acknowledgement of the group's wildcard, whose
 * `names` says which derived schedule names the wildcard stands for.
 */
export function grantScheduleManagement(owner: Construct, fn: lambda.IFunction, access: ScheduleAccess, names: string): void {
  const groupName = scheduleGroupName(access);
  // The group must exist before a function can put schedules into it.
  fn.node.addDependency(access.scheduleGroup);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'],
      resources: [`arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [access.schedulerRole.roleArn] }));
  Validations.of(owner).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
    reason: `Schedule names are derived at run time from entity ids (${names}); the wildcard is limited to the one CareStack schedule group.`,
  });
}
