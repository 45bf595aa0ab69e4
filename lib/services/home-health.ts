import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { grantScheduleManagement, schedulingEnvironment, type ScheduleAccess } from '../constructs/schedule-access.js';

export interface HomeHealthServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly scheduling: ScheduleAccess;
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

    this.function = new CareFunction(this, 'Function', {
      functionId: 'homeHealth',
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...schedulingEnvironment(props.scheduling),
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    // Visits, calendar days, aides, supplies, logs, idempotency and access records: table + indexes, no Scan.
    grantTableAccess(fn, props.table, props.key, 'readwrite');
    grantScheduleManagement(this.function, fn, props.scheduling, 'visit-<id>-late, visit-<id>-missed');
  }
}
