import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { grantScheduleManagement, schedulingEnvironment, type ScheduleAccess } from '../constructs/schedule-access.js';

export interface ConciergeServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** The shared scheduling machinery (MedicationsService.scheduling): where its one-time schedules go. */
  readonly scheduling: ScheduleAccess;
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
    this.function = new CareFunction(this, 'Function', {
      functionId: 'concierge',
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...schedulingEnvironment(props.scheduling),
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    const fn = this.function.function;
    grantTableAccess(fn, props.table, props.key, 'readwrite');
    grantScheduleManagement(this.function, fn, props.scheduling, 'appt-<id>-<start>-<24h|1h>, lab-<id>-esc');
  }
}
