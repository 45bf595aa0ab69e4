import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';
import { grantScheduleManagement, schedulingEnvironment, type ScheduleAccess } from '../constructs/schedule-access.js';

export interface RespiteServiceProps {
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
    this.function = new CareFunction(this, 'Function', {
      functionId: 'respite',
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
    grantScheduleManagement(this.function, fn, props.scheduling, 'rsp-offer-<offerId>, rsp-<sessionId>-24h|1h|late');
  }
}
