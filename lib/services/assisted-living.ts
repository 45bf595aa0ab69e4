import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface AssistedLivingServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
}

/**
 * The assisted-living domain: one function serving incidents and the resident dashboard (its routes
 * come from the route table into the REST API). Incident events reach realtime subscribers and
 * inboxes through the stream -> events -> bus path, so the function needs nothing but the table.
 */
export class AssistedLivingService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: AssistedLivingServiceProps) {
    super(scope, id);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'assistedLiving',
      environment: {
        [ENV.tableName]: props.table.tableName,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    // Incidents, dashboards, idempotency and access records, care-team checks: the table and its two
    // named indexes, no Scan.
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
  }
}
