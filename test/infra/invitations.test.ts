import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lambdas/functions.js';
import { INVITATION_ROUTES } from '../../lambdas/invitations/routes.js';
import { buildApp } from './support/build-app.js';
import type { CfnRef, CfnResource, PolicyStatement } from './support/template.js';

// Synthesised once and shared by every test of this file.
const built = buildApp('dev');
type Resource = CfnResource;
const resources = { ...built.statelessTemplate.toJSON().Resources, ...built.apiTemplate.toJSON().Resources } as Record<string, Resource>;
const ofType = (t: string) => Object.entries(resources).filter(([, r]) => r.Type === t);
const refersTo = (value: unknown, id: string) => JSON.stringify(value).includes(`"${id}"`);

const [fnId, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === FUNCTIONS.invitations.description)!;
const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;

describe('invitations service construct', () => {
  it('is one function with the table name', () => {
    expect(fn.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: expect.anything(), POWERTOOLS_SERVICE_NAME: 'carestack-invitations' });
  });

  it('serves the three invitation routes through API Gateway with the Cognito authorizer', () => {
    expect(INVITATION_ROUTES.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['DELETE /invitations/{invitationId}', 'GET /invitations', 'POST /invitations']);
    const methods = ofType('AWS::ApiGateway::Method').map(([, r]) => r.Properties);
    for (const route of INVITATION_ROUTES) {
      const m = methods.find((p) => p.OperationName === `${route.method} ${route.path}`);
      expect(m, `${route.method} ${route.path}`).toBeDefined();
      expect(m!.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(refersTo(m!.Integration.Uri, fnId)).toBe(true);
    }
  });

  it('emails invitations when the operator has a sender, through the delivery function: no SES rights of its own', () => {
    const withEmail = buildApp('dev', { delivery: { emailFrom: 'CareStack <no-reply@carestack.example>', emailIdentity: 'carestack.example' } });
    const all = withEmail.statelessTemplate.toJSON().Resources as Record<string, Resource>;
    const [, f] = Object.entries(all).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === FUNCTIONS.invitations.description)!;
    expect(f.Properties.Environment.Variables.INVITATION_EMAILS).toBe('true');
    expect(f.Properties.Environment.Variables.EMAIL_FROM).toBeUndefined();
    const sesOf = (description: string) => {
      const [, fn] = Object.entries(all).find(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description)!;
      const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
      return Object.values(all)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: CfnRef) => x.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[])
        .filter((s) => [s.Action].flat().some((a) => String(a).startsWith('ses:')));
    };
    expect(sesOf(FUNCTIONS.invitations.description)).toEqual([]);
    // The delivery function sends it, from the configured address only.
    const ses = sesOf(FUNCTIONS.delivery.description);
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'no-reply@carestack.example' } });
    expect(fn.Properties.Environment.Variables.INVITATION_EMAILS).toBeUndefined();
  });

  it('may use the table and nothing of the user pool (sign-up happens in the pool\'s triggers)', () => {
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: CfnRef) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']));
    expect(actions.filter((a) => a.startsWith('cognito-idp:') || a.startsWith('ses:') || a === 'dynamodb:Scan')).toEqual([]);
  });
});
