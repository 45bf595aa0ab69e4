import { AUTHORIZER_RESULTS_CACHE_SECONDS } from '../../lib/config.js';
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { AUDIT_COLUMNS } from '../../lambdas/shared/audit/audit-event.js';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { ROUTES } from '../../lambdas/routes.js';
import { buildApp } from './support/build-app.js';
import type { CfnResource } from './support/template.js';
import type { Json } from '../support/json.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template = built.statelessTemplate;
/** The REST API's own stack (lib/stateless/api-stack.ts), imports of the functions resolved. */
const api = built.apiTemplate;

type Resource = CfnResource;
const resources = template.toJSON().Resources as Record<string, Resource>;
const apiResources = api.toJSON().Resources as Record<string, Resource>;

/** Full path of each API Gateway resource, rebuilt from PathPart and ParentId. */
function resourcePaths(): Map<string, string> {
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const r = apiResources[id]!;
    const parent = r.Properties.ParentId;
    const parentPath = parent?.Ref ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${r.Properties.PathPart}`;
    paths.set(id, path);
    return path;
  };
  for (const [id, r] of Object.entries(apiResources)) if (r.Type === 'AWS::ApiGateway::Resource') pathOf(id);
  return paths;
}

/** Every method as `METHOD /path` with its properties. */
function methods(): Map<string, Record<string, Json>> {
  const paths = resourcePaths();
  const out = new Map<string, Record<string, Json>>();
  for (const r of Object.values(apiResources)) {
    if (r.Type !== 'AWS::ApiGateway::Method') continue;
    const res = r.Properties.ResourceId;
    const path = res.Ref ? paths.get(res.Ref)! : '/';
    out.set(`${r.Properties.HttpMethod} ${path}`, r.Properties);
  }
  return out;
}

describe('REST API from the route table', () => {
  const all = methods();

  it.each(ROUTES.map((r) => [r.method, r.path, r.auth] as const))('%s %s exists (auth: %s)', (method, path, auth) => {
    const props = all.get(`${method} ${path}`);
    expect(props, `${method} ${path}`).toBeDefined();
    expect(props!.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
    if (auth) {
      expect(props!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(props!.AuthorizerId).toBeDefined();
    } else {
      expect(props!.AuthorizationType).toBe('NONE');
    }
  });

  it('has no method that is not in the route table, except CORS preflights', () => {
    const routeKeys = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
    const extra = [...all.keys()].filter((k) => !routeKeys.has(k) && !k.startsWith('OPTIONS '));
    expect(extra).toEqual([]);
  });

  it('only GET /health is unauthenticated', () => {
    const open = [...all.entries()].filter(([k, p]) => !k.startsWith('OPTIONS ') && p.AuthorizationType !== 'COGNITO_USER_POOLS');
    expect(open.map(([k]) => k)).toEqual(['GET /health']);
  });

  it('has a Cognito user pools authorizer', () => {
    api.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      // The local gateway caches verified tokens for the same time (lib/config.ts).
      AuthorizerResultTtlInSeconds: AUTHORIZER_RESULTS_CACHE_SECONDS,
    });
  });

  it('answers CORS preflights for the configured origins and headers', () => {
    const preflight = all.get('OPTIONS /patients/{patientId}');
    expect(preflight).toBeDefined();
    const headers = preflight!.Integration.IntegrationResponses[0].ResponseParameters;
    expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'http://localhost:5173'");
    expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe("'Authorization,Content-Type,Idempotency-Key'");
  });

  it('stage has tracing, throttling, ERROR logging without data traces, and JSON access logs', () => {
    api.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      ],
    });
  });

  it.each([
    ['DEFAULT_4XX', undefined, 'bad_request'],
    ['DEFAULT_5XX', '500', 'internal'],
    ['UNAUTHORIZED', '401', 'unauthenticated'],
    ['ACCESS_DENIED', '403', 'forbidden'],
    ['THROTTLED', '429', 'rate_limited'],
    ['REQUEST_TOO_LARGE', '413', 'payload_too_large'],
  ] as const)('gateway response %s answers %s with code %s (body and x-amzn-ErrorType) and x-request-id', (type, status, code) => {
    api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: status ?? Match.absent(),
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.x-request-id': 'context.requestId',
        'gatewayresponse.header.x-amzn-ErrorType': `'${code}'`,
      }),
      // A top-level message (what AWS clients read) beside the contract's error object, same text.
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp(`^\\{"message":(.+),"error":\\{"code":"${code}","message":\\1\\}\\}$`) },
    });
  });

  it('is behind a WAF web ACL with logging', () => {
    api.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    api.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
  });
});

describe('REST API invoke permissions', () => {
  const apiFunctions = Object.values(FUNCTIONS).filter((f) => f.kind === 'api');
  const [apiId] = Object.keys(api.findResources('AWS::ApiGateway::RestApi'));
  const [stageId] = Object.keys(api.findResources('AWS::ApiGateway::Stage'));
  const permissions = Object.values(api.findResources('AWS::Lambda::Permission')) as Resource[];
  const functionIdOf = (description: string) =>
    Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Description: description } })).map(([id]) => id);

  it.each(apiFunctions.map((f) => [f.description] as const))('one permission for "%s", scoped to the API\'s deployed stage', (description) => {
    const [fnId] = functionIdOf(description);
    expect(fnId).toBeDefined();
    const fromApi = { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'apigateway.amazonaws.com' };
    api.resourcePropertiesCountIs('AWS::Lambda::Permission', fromApi, 1);
    api.hasResourceProperties('AWS::Lambda::Permission', {
      ...fromApi,
      Action: 'lambda:InvokeFunction',
      // Any method and path of this API, on its deployed stage only.
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':execute-api:'), { Ref: apiId }, '/', { Ref: stageId }, '/*/*'])] },
    });
  });

  it('no permission lets API Gateway invoke from the console test-invoke stage', () => {
    expect(JSON.stringify(permissions)).not.toContain('test-invoke-stage');
  });

  it('API Gateway may invoke only the API functions', () => {
    api.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: 'apigateway.amazonaws.com' }, apiFunctions.length);
  });
});

describe('functions', () => {
  const fns = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const byDescription = (d: string) => fns.find((f) => f.Properties.Description === d)?.Properties;

  it('every function is nodejs24.x on arm64 with active tracing, source maps and a service name', () => {
    const all = [...fns, ...Object.values(built.statefulTemplate.toJSON().Resources as Record<string, Resource>).filter((r) => r.Type === 'AWS::Lambda::Function')];
    expect(all).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const f of all) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^carestack-/) }) },
      });
    }
  });

  it('identity gets TABLE_NAME and USER_POOL_ID and the admin user calls on the pool only', () => {
    expect(byDescription(FUNCTIONS.identity.description)?.Environment.Variables).toEqual(
      expect.objectContaining({ TABLE_NAME: expect.anything(), USER_POOL_ID: expect.anything(), CORS_ALLOW_ORIGINS: 'http://localhost:5173' }),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: [
              'cognito-idp:AdminAddUserToGroup',
              'cognito-idp:AdminCreateUser',
              'cognito-idp:AdminDeleteUser',
              'cognito-idp:AdminGetUser',
              'cognito-idp:AdminSetUserPassword',
            ],
            Resource: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('Pool') }),
          }),
        ]),
      },
    });
  });

  it('audit gets AUDIT_BUCKET_NAME and may only put under audit/', () => {
    expect(byDescription(FUNCTIONS.audit.description)?.Environment.Variables).toEqual(
      expect.objectContaining({ AUDIT_BUCKET_NAME: expect.anything() }),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:PutObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'carestack-dev-stateful-audit-bucket-arn' }, '/audit/*']] },
          }),
        ]),
      },
    });
  });

  it('audit gets AUDIT_JOURNAL_BUCKET_NAME and may put, get and list only its plans under audit-journal/', () => {
    expect(byDescription(FUNCTIONS.audit.description)?.Environment.Variables).toEqual(
      expect.objectContaining({ AUDIT_JOURNAL_BUCKET_NAME: expect.anything() }),
    );
    const journal = { 'Fn::ImportValue': 'carestack-dev-stateful-audit-journal-bucket-arn' };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', [journal, '/audit-journal/*']] } }),
          Match.objectLike({ Action: 's3:ListBucket', Resource: journal, Condition: { StringLike: { 's3:prefix': ['audit-journal/*'] } } }),
        ]),
      },
    });
    // The writer only puts: no read, list or delete of the trail. The one other function on the
    // trail, accessReports (Athena), only reads. Nobody deletes or overwrites-by-copy.
    type Policy = { Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } } };
    const onTrail = (description: string) => {
      const role = (Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Description: string; Role: { 'Fn::GetAtt': [string] } } }>)
        .find((f) => f.Properties.Description === description)!.Properties.Role['Fn::GetAtt'][0];
      return (Object.values(template.findResources('AWS::IAM::Policy')) as Policy[])
        .filter((p) => p.Properties.Roles.some((r) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((st) => JSON.stringify(st.Resource).includes('stateful-audit-bucket-arn'))
        .flatMap((st) => [st.Action].flat());
    };
    expect(onTrail(FUNCTIONS.audit.description)).toEqual(['s3:PutObject']);
    expect(onTrail(FUNCTIONS.accessReports.description).sort()).toEqual(['s3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
    const everyone = (Object.values(template.findResources('AWS::IAM::Policy')) as Policy[]).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const trailActions = everyone.filter((st) => JSON.stringify(st.Resource).includes('stateful-audit-bucket-arn')).flatMap((st) => [st.Action].flat() as string[]);
    expect(trailActions.filter((a) => /Delete|PutObjectRetention|PutObjectLegalHold|BypassGovernance/.test(a))).toEqual([]);
  });

  it('events gets EVENT_BUS_NAME and may put events', () => {
    expect(byDescription(FUNCTIONS.events.description)?.Environment.Variables).toEqual(
      expect.objectContaining({ EVENT_BUS_NAME: expect.anything() }),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents' })]) },
    });
  });

  it('no function policy grants dynamodb:Scan', () => {
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('dynamodb:Scan');
  });
});

describe('stream consumers', () => {
  it('every mapping (audit, events, messaging retention) reports partial failures, bisects, retries a bounded number of times and parks failures in SQS', () => {
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(3);
    for (const m of Object.values(mappings)) {
      expect(m.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: expect.any(Number),
        MaximumRecordAgeInSeconds: expect.any(Number),
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      expect(m.Properties.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(m.Properties.MaximumRetryAttempts).toBeLessThanOrEqual(10);
    }
  });

  it('the audit mapping batches up to 1000 records over a 5 s window', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1000, MaximumBatchingWindowInSeconds: 5 });
  });

  it('failure queues are KMS-encrypted and TLS-only', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(3);
    for (const q of Object.values(queues)) expect(q.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('realtime (AppSync)', () => {
  it('defaults to Cognito user pools, adds IAM, traces and logs', () => {
    template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'AWS_IAM' }],
      XrayEnabled: true,
      LogConfig: { FieldLogLevel: 'ERROR', CloudWatchLogsRoleArn: Match.anyValue(), ExcludeVerboseContent: false },
    });
  });

  it.each(['publish', 'revokePatientAccess', 'onPatientEvent', 'onMyEvent'])('%s has an APPSYNC_JS resolver', (field) => {
    template.hasResourceProperties('AWS::AppSync::Resolver', {
      FieldName: field,
      Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
    });
  });

  it('publish and revoke use NONE, onPatientEvent reads the table through a GetItem-only role', () => {
    template.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'NONE' });
    template.hasResourceProperties('AWS::AppSync::DataSource', { Type: 'AMAZON_DYNAMODB' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'dynamodb:GetItem' })]) },
    });
  });

  it('carestack events go to publish, CareTeamMemberRemoved to revokePatientAccess, both with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['carestack'] },
      Targets: [
        Match.objectLike({
          AppSyncParameters: { GraphQLOperation: Match.stringLikeRegexp('publish\\(event: \\$event\\)') },
          InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ 'detail-data': '$.detail.data' }) }),
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['carestack'], 'detail-type': ['CareTeamMemberRemoved'] },
      Targets: [
        Match.objectLike({
          AppSyncParameters: { GraphQLOperation: Match.stringLikeRegexp('revokePatientAccess') },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });
});

describe('audit queries (Glue + Athena)', () => {
  it('audit_events has the contract columns, org/dt partitions, JSON SerDe and partition projection', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'audit_events',
        PartitionKeys: [
          { Name: 'org', Type: 'string' },
          { Name: 'dt', Type: 'string' },
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.org.type': 'injected',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', Match.anyValue(), '/audit/org=${org}/dt=${dt}/']],
          },
        }),
        StorageDescriptor: Match.objectLike({
          Columns: AUDIT_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })),
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    });
  });

  it('the workgroup encrypts results with SSE_KMS and has no shared output location (each query names its org prefix)', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        // Enforced, the workgroup's location would override the org prefix every query names.
        EnforceWorkGroupConfiguration: false,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() } },
      }),
    });
  });
});

describe('outputs', () => {
  it.each(['GraphqlUrl', 'RealtimeUrl', 'UserPoolId', 'UserPoolClientId', 'Region', 'ComplianceIdentityPoolId', 'AuditResultsBucket'])('%s is output', (name) => {
    template.hasOutput(name, { Value: Match.anyValue() });
  });

  it('ApiUrl is output by the API stack', () => {
    api.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });
});
