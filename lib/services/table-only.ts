import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionId } from '../../lambdas/functions.js';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface TableOnlyServiceProps {
  /** The domain function (lambdas/functions.ts). */
  readonly functionId: FunctionId;
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
 * A domain function that needs nothing but the table: its routes come from the route table into the
 * REST API, its events leave through the stream -> events -> bus path. Assisted living (incidents,
 * the resident dashboard) and records (the FHIR export, which writes only its access record) are
 * two. Read-write on the table and its named indexes, no Scan. The function's construct id stays
 * `Function`, so its logical ids do not move.
 */
export class TableOnlyService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: TableOnlyServiceProps) {
    super(scope, id);
    this.function = new CareFunction(this, 'Function', {
      functionId: props.functionId,
      environment: {
        [ENV.tableName]: props.table.tableName,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
  }
}
