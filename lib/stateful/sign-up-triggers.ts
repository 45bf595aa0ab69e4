import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface SignUpTriggersProps {
  readonly table: dynamodb.ITable;
  /** The table's key; also encrypts the functions' log groups. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The user pool's sign-up triggers (lambdas/invitations/triggers.ts), beside the pool in the
 * stateful stack (the pool references them). Each gets only what it does: pre-sign-up reads the
 * invitation and writes the admitted sign-up; post-confirmation writes the acceptance and adds the
 * user to a group of this pool; token claims only reads.
 */
export class SignUpTriggers extends Construct {
  readonly preSignUp: CareFunction;
  readonly postConfirmation: CareFunction;
  readonly tokenClaims: CareFunction;

  constructor(scope: Construct, id: string, props: SignUpTriggersProps) {
    super(scope, id);
    const common = {
      environment: { [ENV.tableName]: props.table.tableName },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    };
    this.preSignUp = new CareFunction(this, 'PreSignUp', { functionId: 'preSignUp', ...common });
    this.postConfirmation = new CareFunction(this, 'PostConfirmation', { functionId: 'postConfirmation', ...common });
    this.tokenClaims = new CareFunction(this, 'TokenClaims', { functionId: 'tokenClaims', ...common });
    grantTableAccess(this.preSignUp.function, props.table, props.key, 'readwrite');
    grantTableAccess(this.postConfirmation.function, props.table, props.key, 'readwrite');
    grantTableAccess(this.tokenClaims.function, props.table, props.key, 'read');
  }

  get triggers() {
    return { preSignUp: this.preSignUp.function, postConfirmation: this.postConfirmation.function, preTokenGeneration: this.tokenClaims.function };
  }

  /**
   * AdminAddUserToGroup on this pool only. A managed policy of its own, not the role's default
   * policy: the pool references the function, and the function waits for its default policy, so a
   * statement naming the pool there would be a cycle (and HIPAA.Security wants no inline policy).
   */
  allowGroupChanges(pool: cognito.IUserPool): void {
    new iam.ManagedPolicy(this, 'PostConfirmationGroups', {
      description: 'CareStack post-confirmation trigger: put an invited user in their group',
      statements: [new iam.PolicyStatement({ actions: ['cognito-idp:AdminAddUserToGroup'], resources: [pool.userPoolArn] })],
      roles: [this.postConfirmation.function.role!],
    });
  }
}
