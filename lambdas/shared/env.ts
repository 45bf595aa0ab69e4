/**
 * Environment variables the AWS handlers read (the CDK app sets them; the local stack passes the
 * same values as dependencies instead). Reading goes through `requireEnv`, which names what is
 * missing instead of failing later with `undefined`.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  auditBucketName: 'AUDIT_BUCKET_NAME',
  auditJournalBucketName: 'AUDIT_JOURNAL_BUCKET_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  userPoolId: 'USER_POOL_ID',
  /** EventBridge Scheduler: the group, the scheduled-work target, the role Scheduler assumes, its DLQ. */
  scheduleGroupName: 'SCHEDULE_GROUP_NAME',
  scheduledWorkArn: 'SCHEDULED_WORK_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  scheduleDlqArn: 'SCHEDULE_DLQ_ARN',
  attachmentsBucketName: 'ATTACHMENTS_BUCKET_NAME',
  /** Delivery off the app: SNS platform applications, SES sender, SMS switch, the app's link base. */
  apnsPlatformApplicationArn: 'APNS_PLATFORM_APPLICATION_ARN',
  fcmPlatformApplicationArn: 'FCM_PLATFORM_APPLICATION_ARN',
  emailFrom: 'EMAIL_FROM',
  smsEnabled: 'SMS_ENABLED',
  appUrl: 'APP_URL',
  /** `true` when invitations are emailed (a sender is configured; the delivery function sends them). */
  invitationEmails: 'INVITATION_EMAILS',
  /** Every notification type the platform knows, comma-separated (what `mutedTypes` may name). */
  notificationTypes: 'NOTIFICATION_TYPES',
  /** Athena: the audit workgroup and database, the results bucket and its KMS key (access reports). */
  auditWorkGroup: 'AUDIT_WORKGROUP',
  auditDatabase: 'AUDIT_DATABASE',
  athenaResultsBucketName: 'ATHENA_RESULTS_BUCKET_NAME',
  athenaResultsKeyArn: 'ATHENA_RESULTS_KEY_ARN',
  /** A stream consumer's on-failure queue, drained by its redrive function (docs/operations.md). */
  failureQueueUrl: 'FAILURE_QUEUE_URL',
} as const;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
