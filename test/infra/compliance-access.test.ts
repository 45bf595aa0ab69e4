/**
 * Compliance officers' credentials (lib/services/compliance-access.ts): the identity pool, its
 * role mapping and principal tag, and every statement of the officer role, read from the
 * synthesised stateless template (no logical ids: resources are found by type and content).
 */
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';
import type { Json } from '../support/json.js';

const built = buildApp('dev');
type Resource = CfnResource;
const resources = built.statelessTemplate.toJSON().Resources as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const only = (t: string) => {
  const found = ofType(t);
  expect(found, t).toHaveLength(1);
  return found[0]!;
};

const [poolId, pool] = only('AWS::Cognito::IdentityPool');
const [, attachment] = only('AWS::Cognito::IdentityPoolRoleAttachment');
const [, principalTag] = only('AWS::Cognito::IdentityPoolPrincipalTag');
const mapping = Object.values(attachment.Properties.RoleMappings as Record<string, Json>);
const roleId = mapping[0].RulesConfiguration.Rules[0].RoleARN['Fn::GetAtt'][0] as string;
const role = resources[roleId]!;
const [, policy] = ofType('AWS::IAM::ManagedPolicy').find(([, p]) => p.Properties.Roles?.some((r: CfnRef) => r.Ref === roleId))!;
const statements = policy.Properties.PolicyDocument.Statement as PolicyStatement[];
const statement = (sid: string) => {
  const found = statements.find((s) => s.Sid === sid);
  expect(found, sid).toBeDefined();
  return found!;
};
/** A resource or condition value as the text IAM will see, with imports and refs as placeholders. */
const text = (value: unknown): string =>
  JSON.stringify(value, (_k, v) => {
    if (v && typeof v === 'object' && 'Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : text(p).replaceAll('"', ''))).join('');
    if (v && typeof v === 'object' && 'Fn::ImportValue' in v) return `<import:${v['Fn::ImportValue']}>`;
    if (v && typeof v === 'object' && 'Ref' in v) return `<${v.Ref}>`;
    return v;
  }).replaceAll('"', '');
const ORG = '${aws:PrincipalTag/orgId}';
const AUDIT = '<import:carestack-dev-stateful-audit-bucket-arn>';
const RESULTS = '<import:carestack-dev-stateful-athena-results-bucket-arn>';

describe('identity pool', () => {
  it('admits only the user pool app client, with server-side token checks, no guests and no basic flow', () => {
    expect(pool.Properties).toMatchObject({ AllowUnauthenticatedIdentities: false, AllowClassicFlow: false });
    expect(pool.Properties.CognitoIdentityProviders).toEqual([
      { ClientId: expect.anything(), ProviderName: expect.anything(), ServerSideTokenCheck: true },
    ]);
    expect(text(pool.Properties.CognitoIdentityProviders[0].ProviderName)).toContain('Pool');
  });

  it("tags every session with the org from the ID token's custom:orgId, and nothing else", () => {
    expect(principalTag.Properties).toMatchObject({
      IdentityPoolId: { Ref: poolId },
      PrincipalTags: { orgId: 'custom:orgId' },
      UseDefaults: false,
    });
  });

  it('maps the compliance group, and only it, to the officer role; any other token gets no role', () => {
    expect(attachment.Properties.IdentityPoolId).toEqual({ Ref: poolId });
    // No default authenticated or unauthenticated role to fall back on.
    expect(attachment.Properties.Roles ?? {}).toEqual({});
    expect(mapping).toHaveLength(1);
    expect(mapping[0]).toMatchObject({
      Type: 'Rules',
      AmbiguousRoleResolution: 'Deny',
      RulesConfiguration: { Rules: [{ Claim: 'cognito:groups', MatchType: 'Contains', Value: 'compliance', RoleARN: expect.anything() }] },
    });
    expect(text(mapping[0].IdentityProvider)).toMatch(/:<.*AppClient.*>$/);
  });

  it('the role trusts only authenticated identities of this pool, and accepts session tags', () => {
    expect(role.Type).toBe('AWS::IAM::Role');
    const trust = role.Properties.AssumeRolePolicyDocument.Statement as PolicyStatement[];
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Federated: 'cognito-identity.amazonaws.com' },
      Condition: {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: poolId } },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      },
    });
    expect([...trust[0]!.Action].sort()).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
    // Its permissions come from the one managed policy, none inline.
    expect(role.Properties.Policies).toBeUndefined();
    expect(ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === roleId))).toEqual([]);
  });

  it('outputs the identity pool id', () => {
    built.statelessTemplate.hasOutput('ComplianceIdentityPoolId', { Value: { Ref: poolId } });
  });
});

describe('officer role: every statement', () => {
  it('has exactly these statements, all Allow', () => {
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [
        'AuditTableMetadata',
        'DecryptThroughS3AndAthenaOnly',
        'ListOwnOrgAuditObjects',
        'ListOwnOrgResults',
        'LocateBuckets',
        'QueriesInTheAuditWorkgroup',
        'ReadAndWriteOwnOrgResults',
        'ReadOwnOrgAuditObjects',
      ].sort(),
    );
    for (const s of statements) expect(s.Effect, s.Sid).toBe('Allow');
    // No action wildcard anywhere.
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.includes('*'))).toEqual([]);
  });

  it('runs and reads queries in the audit workgroup only', () => {
    const s = statement('QueriesInTheAuditWorkgroup');
    expect([...s.Action].sort()).toEqual(
      ['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:GetWorkGroup', 'athena:StartQueryExecution', 'athena:StopQueryExecution'].sort(),
    );
    expect(text(s.Resource)).toBe('arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/carestack-dev-audit');
  });

  it("reads the audit database's and table's metadata only", () => {
    const s = statement('AuditTableMetadata');
    expect([...s.Action].sort()).toEqual(['glue:GetDatabase', 'glue:GetTable']);
    expect(s.Resource.map(text).sort()).toEqual(
      [
        'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog',
        'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/carestack_dev_audit',
        'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/carestack_dev_audit/audit_events',
      ].sort(),
    );
  });

  it("lists and reads audit objects only under its own org's prefix", () => {
    const list = statement('ListOwnOrgAuditObjects');
    expect(list.Action).toBe('s3:ListBucket');
    expect(text(list.Resource)).toBe(AUDIT);
    expect(list.Condition.StringLike['s3:prefix'].map(text)).toEqual([`audit/org=${ORG}/`, `audit/org=${ORG}/*`]);
    const read = statement('ReadOwnOrgAuditObjects');
    expect(read.Action).toBe('s3:GetObject');
    expect(text(read.Resource)).toBe(`${AUDIT}/audit/org=${ORG}/*`);
  });

  it("reads and writes query results only under its own org's prefix", () => {
    const list = statement('ListOwnOrgResults');
    expect(list.Action).toBe('s3:ListBucket');
    expect(text(list.Resource)).toBe(RESULTS);
    expect(list.Condition.StringLike['s3:prefix'].map(text)).toEqual([`org=${ORG}/`, `org=${ORG}/*`]);
    const rw = statement('ReadAndWriteOwnOrgResults');
    expect([...rw.Action].sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    expect(text(rw.Resource)).toBe(`${RESULTS}/org=${ORG}/*`);
  });

  it('locates the two buckets (bucket-level, no objects)', () => {
    const s = statement('LocateBuckets');
    expect(s.Action).toBe('s3:GetBucketLocation');
    expect(s.Resource.map(text).sort()).toEqual([AUDIT, RESULTS].sort());
  });

  it('uses the data key only through S3 and Athena', () => {
    const s = statement('DecryptThroughS3AndAthenaOnly');
    expect([...s.Action].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(text(s.Resource)).toContain('carestack-dev-stateful');
    expect(s.Condition).toEqual({
      StringEquals: { 'kms:ViaService': [expect.anything(), expect.anything()] },
    });
    expect(s.Condition.StringEquals['kms:ViaService'].map(text)).toEqual(['s3.<AWS::Region>.amazonaws.com', 'athena.<AWS::Region>.amazonaws.com']);
  });

  it('names the org tag in every S3 object or prefix it reaches, and no object wildcard without it', () => {
    const s3 = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    for (const s of s3) {
      const objects = [s.Resource].flat().map(text).filter((r) => r.includes('/'));
      const prefixes = (s.Condition?.StringLike?.['s3:prefix'] ?? []).map(text);
      if (s.Sid === 'LocateBuckets') {
        expect(objects, s.Sid).toEqual([]);
        continue;
      }
      for (const r of [...objects, ...prefixes]) expect(r, s.Sid).toContain(`org=${ORG}/`);
      // A ListBucket without a prefix condition would list every org.
      if ([s.Action].flat().includes('s3:ListBucket')) expect(prefixes.length, s.Sid).toBeGreaterThan(0);
    }
    expect(statements.flatMap((s) => [s.Resource].flat().map(text)).filter((r) => r === '*' || /org=\*/.test(r))).toEqual([]);
  });
});

describe('access-reports function', () => {
  const [, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.accessReports.description)!;
  const fnRole = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const fnStatements = ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === fnRole))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);

  it('knows the workgroup, database, results bucket and key', () => {
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'AUDIT_WORKGROUP', 'AUDIT_DATABASE', 'ATHENA_RESULTS_BUCKET_NAME', 'ATHENA_RESULTS_KEY_ARN']),
    );
    expect(fn.Properties.Environment.Variables.AUDIT_WORKGROUP).toBe('carestack-dev-audit');
  });

  it('may run queries in the audit workgroup, read audit objects, and write results only under access-reports/ of an org prefix', () => {
    const athena = fnStatements.find((s) => [s.Action].flat().includes('athena:StartQueryExecution'))!;
    expect(text(athena.Resource)).toMatch(/workgroup\/carestack-dev-audit$/);
    const puts = fnStatements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(puts.flatMap((s) => [s.Resource].flat().map(text))).toEqual([`${RESULTS}/org=*/access-reports/*`]);
    const gets = fnStatements.filter((s) => [s.Action].flat().includes('s3:GetObject')).flatMap((s) => [s.Resource].flat().map(text));
    expect(gets.sort()).toEqual([`${AUDIT}/audit/*`, `${RESULTS}/org=*/access-reports/*`].sort());
  });
});
