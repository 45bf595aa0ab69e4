import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { MESSAGING_ROUTES } from '../../lambdas/messaging/routes.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';
import type { Json } from '../support/json.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
type Resource = CfnResource;
const stateful = built.statefulTemplate.toJSON().Resources as Record<string, Resource>;
// The REST API is its own stack (imports of the functions resolved): its methods join the rest.
const stateless = { ...built.statelessTemplate.toJSON().Resources, ...built.apiTemplate.toJSON().Resources } as Record<string, Resource>;
const ofType = (resources: Record<string, Resource>, t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

const [bucketId, bucket] = ofType(stateful, 'AWS::S3::Bucket').find(([, b]) => b.Properties.LoggingConfiguration?.LogFilePrefix === 'attachments-bucket/')!;
const [fnId, fn] = ofType(stateless, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.messaging.description)!;
const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
const statementsOfRole = (id: string) =>
  ofType(stateless, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === id))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
const EXPORT = 'carestack-dev-stateful-attachments-bucket-arn';

describe('attachments bucket', () => {
  it('is private, KMS-encrypted with a bucket key, versioned, access-logged and retained, with no fixed name', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() } }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: expect.anything() },
    });
    expect(bucket.Properties.BucketName).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
    // The stack's data key encrypts it.
    const keyId = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.KMSMasterKeyID['Fn::GetAtt'][0];
    expect(stateful[keyId]!.Type).toBe('AWS::KMS::Key');
  });

  it('expires uploads no message references after a day, and old versions of kept files after 30', () => {
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Json[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Prefix: 'pending/',
          Status: 'Enabled',
          ExpirationInDays: 1,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }),
        expect.objectContaining({ Prefix: 'files/', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
      ]),
    );
    // Kept files never expire by themselves.
    expect(rules.find((r) => r.Prefix === 'files/').ExpirationInDays).toBeUndefined();
  });

  it('refuses plain HTTP', () => {
    const policy = ofType(stateful, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1];
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
    );
  });

  it('lets browsers PUT and GET through presigned URLs from the configured origins only', () => {
    expect(bucket.Properties.CorsConfiguration.CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ['PUT', 'GET'], AllowedOrigins: ['http://localhost:5173'] }),
    ]);
  });

  it('exports its ARN under a stable name for the messaging function\'s policy', () => {
    const outputs = built.statefulTemplate.toJSON().Outputs as Record<string, { Export?: { Name: string }; Value: unknown }>;
    const exported = Object.values(outputs).find((o) => o.Export?.Name === EXPORT);
    expect(exported?.Value).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
  });
});

describe('messaging function', () => {
  it('gets the table and the attachments bucket by environment', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      ATTACHMENTS_BUCKET_NAME: expect.anything(),
      POWERTOOLS_SERVICE_NAME: 'carestack-messaging',
      CORS_ALLOW_ORIGINS: 'http://localhost:5173',
    });
  });

  it('serves every messaging route through API Gateway with the Cognito authorizer', () => {
    const methods = ofType(stateless, 'AWS::ApiGateway::Method').map(([, r]) => r.Properties);
    for (const route of MESSAGING_ROUTES) {
      const m = methods.find((p) => p.OperationName === `${route.method} ${route.path}`);
      expect(m, `${route.method} ${route.path}`).toBeDefined();
      expect(m!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(refersTo(m!.Integration.Uri, fnId)).toBe(true);
    }
  });

  it('may only PutObject and GetObject, and only under pending/ and files/ of the attachments bucket', () => {
    const statements = statementsOfRole(roleId);
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3).toHaveLength(1);
    expect([s3[0]!.Action].flat().sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(s3[0]!.Effect).toBe('Allow');
    expect(s3[0]!.Resource).toEqual(expect.arrayContaining([
      { 'Fn::Join': ['', [{ 'Fn::ImportValue': EXPORT }, '/pending/*']] },
      { 'Fn::Join': ['', [{ 'Fn::ImportValue': EXPORT }, '/files/*']] },
    ]));
    expect(s3[0]!.Resource).toHaveLength(2);
  });

  it('reads and writes the table and its named indexes, never Scan, and uses the data key for SSE-KMS', () => {
    const statements = statementsOfRole(roleId);
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(JSON.stringify(statements)).not.toContain('dynamodb:Scan');
    expect(JSON.stringify(dynamo.Resource)).not.toContain('index/*');
    const kms = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:'))).flatMap((s) => [s.Action].flat());
    expect(kms).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
  });

  it('is the only function that may touch attachment objects, beside the retention consumer that deletes expired ones', () => {
    const [retentionFnId, retentionFn] = ofType(stateless, 'AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.messagingRetention.description)!;
    expect(retentionFnId).toBeDefined();
    const retentionRole = retentionFn.Properties.Role['Fn::GetAtt'][0] as string;
    // What the retention consumer may do is pinned in test/infra/retention.test.ts.
    const others = ofType(stateless, 'AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) => id !== roleId && id !== retentionRole)
      .flatMap((id) => statementsOfRole(id));
    expect(JSON.stringify(others)).not.toContain(EXPORT);
  });
});
