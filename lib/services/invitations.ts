import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
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
   * Whether invitations are emailed: true when the operator configured a sender
   * (`delivery.emailFrom` / `emailIdentity`). The delivery function sends them; this function only
   * writes the request (lambdas/shared/outbox/email-request.ts), so it has no SES rights.
   * @default false - no email: staff pass on the code the API answers
   */
  readonly emailInvitations?: boolean;
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
        ...(props.emailInvitations ? { [ENV.invitationEmails]: 'true' } : {}),
      },
      logEncryptionKey: props.key,
      logRetention: props.logRetention,
    });
    // Invitations, their code links and invitee pointers, patient checks: the table and its two named
    // indexes, no Scan.
    grantTableAccess(this.function.function, props.table, props.key, 'readwrite');
  }
}
