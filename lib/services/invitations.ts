import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env.js';
import { CareFunction } from '../constructs/care-function.js';
import { grantTableAccess } from '../constructs/grants.js';

export interface InvitationsServiceProps {
  readonly table: dynamodb.ITable;
  /** Encrypts the function's log group; the table's key. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Web origins the function's responses allow (CORS).
   * @default - none
   */
  readonly corsAllowOrigins?: readonly string[];
  /**
   * The operator's SES sender (`delivery.emailFrom` / `emailIdentity` of the context): invitation
   * emails go out from it.
   * @default - no email: staff pass on the code the API answers
   */
  readonly email?: { readonly from: string; readonly identity: string };
}

/**
 * The invitations domain: one function serving POST/GET/DELETE /invitations (its routes come from
 * the route table into the REST API). Sign-up itself runs in the user pool's triggers
 * (lib/stateful/sign-up-triggers.ts); this function needs nothing but the table.
 */
export class InvitationsService extends Construct {
  readonly function: CareFunction;

  constructor(scope: Construct, id: string, props: InvitationsServiceProps) {
    super(scope, id);
    this.function = new CareFunction(this, 'Function', {
      functionId: 'invitations',
      environment: {
        [ENV.tableName]: props.table.tableName,
        CORS_ALLOW_ORIGINS: (props.corsAllowOrigins ?? []).join(','),
        ...(props.email ? { [ENV.emailFrom]: props.email.from } : {}),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    // Invitations, their code links and invitee pointers, patient checks: the table and its two named
    // indexes, no Scan.
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
    if (props.email) {
      // As the delivery function: this identity only, and only from the configured address.
      this.function.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${props.email.identity}`],
          conditions: { StringEquals: { 'ses:FromAddress': /<([^>]+)>/.exec(props.email.from)?.[1] ?? props.email.from } },
        }),
      );
    }
  }
}
