import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { ROLES } from '../../schemas/roles.js';
import { buildApp } from './support/build-app.js';
import { PASSWORD_POLICY, appClientInput, passwordPolicyInput } from '../../lib/user-pool-definition.js';

// Synthesised once per stage and shared by every test of this file.
const dev = buildApp('dev');
const prod = buildApp('prod');

describe('KMS key', () => {
  it('rotates and is retained', () => {
    dev.statefulTemplate.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('single table', () => {
  const table = () => dev.statefulTemplate.findResources('AWS::DynamoDB::Table');

  it('is the only table, with PK/SK strings, on demand, and no hard-coded name', () => {
    const tables = Object.values(table());
    expect(tables).toHaveLength(1);
    const props = tables[0]!.Properties;
    expect(props.TableName).toBeUndefined();
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(props.AttributeDefinitions).toEqual(
      expect.arrayContaining(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'].map((n) => ({ AttributeName: n, AttributeType: 'S' }))),
    );
  });

  it('has GSI1 and GSI2 projecting all attributes', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith(
        [1, 2].map((n) =>
          Match.objectLike({
            IndexName: `GSI${n}`,
            KeySchema: [
              { AttributeName: `GSI${n}PK`, KeyType: 'HASH' },
              { AttributeName: `GSI${n}SK`, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ),
      ),
    });
  });

  it('has the stream, TTL, PITR, deletion protection, the customer-managed key and RETAIN', () => {
    dev.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('audit journal bucket', () => {
  it('is private, KMS-encrypted, logged, retained, without Object Lock, and lets plans expire after 7 days', () => {
    dev.statefulTemplate.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'audit-journal/' },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'ExpirePlans', Status: 'Enabled', ExpirationInDays: 7 })] },
        ObjectLockEnabled: Match.absent(),
      }),
      DeletionPolicy: 'Retain',
    });
  });
});

describe('audit bucket', () => {
  const auditBucket = (stage: typeof dev) =>
    stage.statefulTemplate.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } });

  // Stage names only in the table: vitest formats each row, and a construct tree does not print.
  it.each([
    ['dev', 'GOVERNANCE', 30],
    ['prod', 'COMPLIANCE', 2192],
  ] as const)('in %s uses Object Lock %s for %d days', (stage, mode, days) => {
    const buckets = Object.values(auditBucket(stage === 'prod' ? prod : dev));
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: mode, Days: days } },
    });
  });

  it('is versioned, KMS-encrypted, private, logged and retained', () => {
    dev.statefulTemplate.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }),
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'audit-bucket/' },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('refuses plain HTTP', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('no bucket has a hard-coded name and every bucket is retained', () => {
    for (const bucket of Object.values(dev.statefulTemplate.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.BucketName).toBeUndefined();
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('user pool', () => {
  it('has one group per role', () => {
    for (const role of ROLES) {
      dev.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: role });
    }
    expect(Object.keys(dev.statefulTemplate.findResources('AWS::Cognito::UserPoolGroup'))).toHaveLength(ROLES.length);
  });

  it('signs in by email, sign-up only through the invitation triggers, orgId and patientId are immutable', () => {
    dev.statefulTemplate.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({
        UsernameAttributes: ['email'],
        // Self sign-up is on only together with the pre-sign-up trigger that admits invitations alone.
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'orgId', AttributeDataType: 'String', Mutable: false }),
          Match.objectLike({ Name: 'patientId', AttributeDataType: 'String', Mutable: false }),
        ]),
        Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true }) },
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        LambdaConfig: {
          PostAuthentication: Match.anyValue(),
          PreSignUp: Match.anyValue(),
          PostConfirmation: Match.anyValue(),
          // V2_0: the access token (what Amplify sends to AppSync) gets the org claims too.
          PreTokenGenerationConfig: { LambdaArn: Match.anyValue(), LambdaVersion: 'V2_0' },
        },
        DeletionProtection: 'ACTIVE',
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('requires TOTP MFA and enforces threat protection in prod; MFA optional in dev', () => {
    prod.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    dev.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL' });
  });

  it('has a public app client with password, SRP and refresh flows', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayEquals(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    });
  });

  it('has the password policy and app client settings the local pool is built from (lib/user-pool-definition.ts)', () => {
    // Cognito's API and CloudFormation name these fields alike, so the local pool's CreateUserPool
    // and CreateUserPoolClient input is compared field for field with the template.
    for (const app of [dev, prod]) {
      const pools = Object.values(app.statefulTemplate.findResources('AWS::Cognito::UserPool'));
      expect(pools).toHaveLength(1);
      expect(pools[0]!.Properties.Policies).toEqual(passwordPolicyInput().Policies);
      const clients = Object.values(app.statefulTemplate.findResources('AWS::Cognito::UserPoolClient'));
      expect(clients).toHaveLength(1);
      const { ExplicitAuthFlows, WriteAttributes, ...rest } = appClientInput();
      expect(clients[0]!.Properties).toMatchObject(rest);
      expect([...(clients[0]!.Properties.ExplicitAuthFlows as string[])].sort()).toEqual([...(ExplicitAuthFlows as string[])].sort());
      expect([...(clients[0]!.Properties.WriteAttributes as string[])].sort()).toEqual([...(WriteAttributes as string[])].sort());
    }
    expect(PASSWORD_POLICY.minimumLength).toBe(12);
  });

  it('lets the app client write no org or patient attribute', () => {
    const clients = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const written = clients[0]!.Properties.WriteAttributes as string[];
    expect(written).toEqual(expect.arrayContaining(['email', 'name']));
    expect(written.filter((a) => a.startsWith('custom:'))).toEqual([]);
  });
});

describe('sign-up triggers', () => {
  const fn = (description: string) => {
    const found = Object.entries(dev.statefulTemplate.findResources('AWS::Lambda::Function', { Properties: { Description: description } }));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const statementsOf = (logicalRoleId: string) =>
    [...Object.values(dev.statefulTemplate.findResources('AWS::IAM::Policy')), ...Object.values(dev.statefulTemplate.findResources('AWS::IAM::ManagedPolicy'))]
      .filter((p) => (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === logicalRoleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
  const actionsOf = (description: string) => {
    const [, f] = fn(description);
    return statementsOf((f.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]).flatMap((s) => [s.Action].flat());
  };

  it('wires the three triggers to their functions', () => {
    const pool = Object.values(dev.statefulTemplate.findResources('AWS::Cognito::UserPool'))[0]!;
    const config = pool.Properties.LambdaConfig;
    expect(config.PreSignUp['Fn::GetAtt'][0]).toBe(fn('Admits a sign-up only with a pending invitation for that email')[0]);
    expect(config.PostConfirmation['Fn::GetAtt'][0]).toBe(fn('Accepts the invitation: profile, patient link or care team, group')[0]);
    expect(config.PreTokenGenerationConfig.LambdaArn['Fn::GetAtt'][0]).toBe(fn('Adds the org and patient claims to ID and access tokens')[0]);
  });

  it('gives each trigger only what it does', () => {
    const tokenClaims = actionsOf('Adds the org and patient claims to ID and access tokens');
    expect(tokenClaims.filter((a) => /PutItem|UpdateItem|DeleteItem|cognito-idp/.test(a))).toEqual([]);
    const preSignUp = actionsOf('Admits a sign-up only with a pending invitation for that email');
    expect(preSignUp.filter((a) => a.startsWith('cognito-idp:'))).toEqual([]);
    const postConfirmation = actionsOf('Accepts the invitation: profile, patient link or care team, group');
    expect(postConfirmation.filter((a) => a.startsWith('cognito-idp:'))).toEqual(['cognito-idp:AdminAddUserToGroup']);
    // ...on this pool only.
    dev.statefulTemplate.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'cognito-idp:AdminAddUserToGroup', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('UsersPool'), 'Arn'] } })],
      },
    });
  });
});

describe('event bus and sign-in trigger', () => {
  it('has a retained event bus', () => {
    dev.statefulTemplate.hasResource('AWS::Events::EventBus', { DeletionPolicy: 'Retain' });
  });

  it('the sign-in audit trigger gets TABLE_NAME and may write to the table', () => {
    dev.statefulTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Records each sign-in for the audit trail',
      Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue() }) },
    });
    dev.statefulTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:PutItem']) })]),
      },
    });
  });
});

describe('data key policy for dead-letter delivery', () => {
  it('lets EventBridge and Scheduler encrypt messages for the KMS-encrypted DLQs of this account only', () => {
    const { statefulTemplate } = buildApp('dev');
    statefulTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: ['events.amazonaws.com', 'scheduler.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});
