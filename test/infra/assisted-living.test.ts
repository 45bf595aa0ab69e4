import { describe, expect, it } from 'vitest';
import { ASSISTED_LIVING_ROUTES } from '../../lambdas/assisted-living/routes.js';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
const template = built.statelessTemplate;
/** The REST API is its own stack (imports of the functions resolved): its methods and permissions. */
const api = built.apiTemplate;
type Resource = CfnResource;
const resources = { ...template.toJSON().Resources, ...api.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

const [fnId, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.assistedLiving.description)!;
const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;

describe('assisted-living service construct', () => {
  it('is one function with the table name and CORS origins', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      CORS_ALLOW_ORIGINS: 'http://localhost:5173',
      POWERTOOLS_SERVICE_NAME: 'carestack-assistedLiving',
    });
  });

  it('serves every incident and dashboard route through API Gateway with the Cognito authorizer', () => {
    const methods = ofType('AWS::ApiGateway::Method').map(([, r]) => r.Properties);
    expect(ASSISTED_LIVING_ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /incidents',
      'GET /patients/{patientId}/dashboard',
      'GET /patients/{patientId}/incidents',
      'PATCH /patients/{patientId}/incidents/{incidentId}',
      'POST /patients/{patientId}/incidents',
    ]);
    for (const route of ASSISTED_LIVING_ROUTES) {
      const m = methods.find((p) => p.OperationName === `${route.method} ${route.path}`);
      expect(m, `${route.method} ${route.path}`).toBeDefined();
      expect(m!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(refersTo(m!.Integration.Uri, fnId)).toBe(true);
    }
  });

  it('may read and write the table and its two named indexes with the table key, never Scan, nothing else', () => {
    const policies = ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === roleId));
    const statements = policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
    const dynamo = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!;
    expect([dynamo.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']));
    const indexes = JSON.stringify(dynamo.Resource);
    expect(indexes).toContain('/index/GSI1');
    expect(indexes).toContain('/index/GSI2');
    expect(indexes).not.toContain('index/*');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.every((a) => /^(dynamodb|kms|logs|xray):/.test(a))).toBe(true);
  });
});
