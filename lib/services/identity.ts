import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface IdentityServiceProps {
  readonly table: dynamodb.ITable;
  /** The pool whose users the function creates, groups and (on a failed login) deletes. */
  readonly userPool: cognito.IUserPool;
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
 * The identity domain: one function serving /me, /users, /patients, care teams and org settings
 * (its routes come from the route table into the REST API). It is the only function that manages
 * Cognito users, so the admin calls on the pool are granted here and nowhere else.
 */
export class IdentityService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: IdentityServiceProps) {
    super(scope, id);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'identity',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.userPoolId]: props.userPool.userPoolId,
        // The function adds CORS headers to its own responses (proxy integration).
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
    this.function.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminGetUser',
          'cognito-idp:AdminSetUserPassword',
          // Undoes a login whose profile could not be stored.
          'cognito-idp:AdminDeleteUser',
        ],
        resources: [props.userPool.userPoolArn],
      }),
    );
  }
}
