import { Fn, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AUDIT_PREFIX } from '../../lambdas/shared/audit/audit-event.js';

export interface ComplianceAccessProps {
  readonly userPool: cognito.IUserPool;
  /** The app client officers sign in with (its ID tokens are what the identity pool accepts). */
  readonly userPoolClient: cognito.IUserPoolClient;
  /** Export name of the audit bucket's ARN (a stable name, so policies and acknowledgements are too). */
  readonly auditBucketArnExportName: string;
  /** Export name of the Athena results bucket's ARN. */
  readonly resultsBucketArnExportName: string;
  /** Encrypts the audit objects and the query results. */
  readonly key: kms.IKey;
  readonly workGroupName: string;
  readonly databaseName: string;
  readonly tableName: string;
}

/** The principal tag that carries the officer's org into every policy of the role. */
export const ORG_PRINCIPAL_TAG = 'orgId';
/** The group whose members get audit credentials; no other group gets any. */
export const COMPLIANCE_GROUP = 'compliance';

/**
 * Compliance officers' AWS credentials for their own org's audit trail (docs/audit.md, "A
 * compliance officer on AWS"). A Cognito identity pool on the user pool, enhanced flow only, no
 * guests; role mapping by rules on `cognito:groups`: `compliance` gets the audit role, every other
 * token gets nothing (AmbiguousRoleResolution Deny, no default authenticated role). The session
 * carries the officer's org as the principal tag `orgId`, mapped from the ID token's immutable
 * `custom:orgId`, which only an admin sets when creating the user, so no client can choose it.
 *
 * Every S3 permission of the role names `${aws:PrincipalTag/orgId}` in its resource or condition:
 * audit objects under `audit/org=<org>/`, query results under `org=<org>/` of the results bucket.
 * Athena reads and writes S3 with the caller's permissions, so a query naming another org fails on
 * S3, and another org's results cannot be fetched even with their query id.
 */
export class ComplianceAccess extends Construct {
  readonly identityPool: cognito.CfnIdentityPool;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ComplianceAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const org = `\${aws:PrincipalTag/${ORG_PRINCIPAL_TAG}}`;

    this.identityPool = new cognito.CfnIdentityPool(this, 'IdentityPool', {
      allowUnauthenticatedIdentities: false,
      // Basic flow would let a token go to sts:AssumeRoleWithWebIdentity directly, past the rules.
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: props.userPoolClient.userPoolClientId,
          providerName: props.userPool.userPoolProviderName,
          // Cognito checks that the token is still valid (not signed out or revoked).
          serverSideTokenCheck: true,
        },
      ],
    });

    new cognito.CfnIdentityPoolPrincipalTag(this, 'OrgTag', {
      identityPoolId: this.identityPool.ref,
      identityProviderName: props.userPool.userPoolProviderName,
      principalTags: { [ORG_PRINCIPAL_TAG]: 'custom:orgId' },
      useDefaults: false,
    });

    this.role = new iam.Role(this, 'OfficerRole', {
      description: "Compliance officers: Athena over their own org's audit trail (docs/audit.md)",
      assumedBy: new iam.WebIdentityPrincipal('cognito-identity.amazonaws.com', {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      }).withSessionTags(),
    });

    new cognito.CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roleMappings: {
        userPool: {
          identityProvider: `${props.userPool.userPoolProviderName}:${props.userPoolClient.userPoolClientId}`,
          type: 'Rules',
          ambiguousRoleResolution: 'Deny',
          rulesConfiguration: {
            rules: [{ claim: 'cognito:groups', matchType: 'Contains', value: COMPLIANCE_GROUP, roleArn: this.role.roleArn }],
          },
        },
      },
    });

    const auditBucketArn = Fn.importValue(props.auditBucketArnExportName);
    const resultsBucketArn = Fn.importValue(props.resultsBucketArnExportName);
    const auditPrefix = `${AUDIT_PREFIX}org=${org}/`;
    const resultsPrefix = `org=${org}/`;
    const workGroupArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroupName });

    // A managed policy rather than an inline one: hand-made roles use managed policies (HIPAA.Security-IAMNoInlinePolicy).
    const policy = new iam.ManagedPolicy(this, 'OfficerPolicy', {
      description: "Athena in the audit workgroup over the officer's own org only",
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'QueriesInTheAuditWorkgroup',
          actions: ['athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup'],
          resources: [workGroupArn],
        }),
        new iam.PolicyStatement({
          sid: 'AuditTableMetadata',
          actions: ['glue:GetDatabase', 'glue:GetTable'],
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog' }),
            stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName }),
            stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${props.databaseName}/${props.tableName}` }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ListOwnOrgAuditObjects',
          actions: ['s3:ListBucket'],
          resources: [auditBucketArn],
          conditions: { StringLike: { 's3:prefix': [auditPrefix, `${auditPrefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadOwnOrgAuditObjects',
          actions: ['s3:GetObject'],
          resources: [`${auditBucketArn}/${auditPrefix}*`],
        }),
        new iam.PolicyStatement({
          sid: 'ListOwnOrgResults',
          actions: ['s3:ListBucket'],
          resources: [resultsBucketArn],
          conditions: { StringLike: { 's3:prefix': [resultsPrefix, `${resultsPrefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadAndWriteOwnOrgResults',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [`${resultsBucketArn}/${resultsPrefix}*`],
        }),
        new iam.PolicyStatement({
          sid: 'LocateBuckets',
          actions: ['s3:GetBucketLocation'],
          resources: [auditBucketArn, resultsBucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptThroughS3AndAthenaOnly',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [`s3.${stack.region}.amazonaws.com`, `athena.${stack.region}.amazonaws.com`] } },
        }),
      ],
    });

    Validations.of(policy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${props.auditBucketArnExportName}/${AUDIT_PREFIX}org=<aws:PrincipalTag/${ORG_PRINCIPAL_TAG}>/*]`,
        reason:
          "GetObject on the officer's own org prefix only: the principal tag comes from the ID token's immutable custom:orgId; the objects below are per-day batches named at run time.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${props.resultsBucketArnExportName}/org=<aws:PrincipalTag/${ORG_PRINCIPAL_TAG}>/*]`,
        reason:
          "Athena writes and reads query results under the officer's own org prefix with the caller's permissions; result object names are query ids made at run time.",
      },
    );
  }
}
