import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Db } from '../../../../lambdas/shared/data/db.js';
import { createSignInAuditHandler } from '../../../../lambdas/sign-in-audit/app.js';
import { fixedClock, silentLogger } from '../support/api-events.js';
import { offlineDynamoClient, plain, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const client = offlineDynamoClient();
const handler = createSignInAuditHandler({ db: new Db(client, 'table-1'), clock: fixedClock('2025-03-01T10:00:00.000Z'), logger: silentLogger() });

const trigger = (attrs: Record<string, string>): PostAuthenticationTriggerEvent => ({
  version: '1',
  region: 'us-east-1',
  userPoolId: 'pool-1',
  userName: 'user@example.test',
  triggerSource: 'PostAuthentication_Authentication',
  callerContext: { awsSdkVersion: '3', clientId: 'client-1' },
  request: { userAttributes: attrs, newDeviceUsed: false },
  response: {},
});

beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

describe('sign-in audit trigger', () => {
  it('records a sign_in access record by the user, with the role from the profile, and lets them in', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire({ role: 'clinician' }) });
    ddb.on(PutItemCommand).resolves({});
    const event = trigger({ sub: 'u-1', 'custom:orgId': 'org-1' });

    const out = await handler(event);

    expect(out).toBe(event);
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { Key: wire({ PK: 'ORG#org-1#USER#u-1', SK: 'PROFILE' }) });
    const item = plain(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);
    expect(item).toMatchObject({
      entityType: 'AccessRecord',
      orgId: 'org-1',
      accessAction: 'sign_in',
      accessedEntityType: 'User',
      accessedEntityId: 'u-1',
      updatedBy: 'u-1',
      updatedByRoles: ['clinician'],
      source: 'api',
      expiresAt: Date.parse('2025-03-02T10:00:00.000Z') / 1000,
    });
    expect(item.PK).toMatch(/^ORG#org-1#ACCESS#/);
    expect(item.requestId).toMatch(/^cognito:client-1:/);
  });

  it('lets a user without an org (no attribute, no login link) in, recording nothing', async () => {
    ddb.on(GetItemCommand).resolves({});
    const out = await handler(trigger({ sub: 'u-2' }));
    expect(out.request.userAttributes.sub).toBe('u-2');
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it("records an invited login's sign-in in the org of its login link", async () => {
    ddb.on(GetItemCommand, { Key: wire({ PK: 'LOGIN#u-4', SK: 'LOGIN' }) }).resolves({ Item: wire({ orgId: 'org-7', role: 'family' }) });
    ddb.on(GetItemCommand, { Key: wire({ PK: 'ORG#org-7#USER#u-4', SK: 'PROFILE' }) }).resolves({ Item: wire({ role: 'family' }) });
    ddb.on(PutItemCommand).resolves({});
    await handler(trigger({ sub: 'u-4' }));
    const item = plain(ddb.commandCalls(PutItemCommand)[0]!.args[0].input.Item!);
    expect(item.PK).toMatch(/^ORG#org-7#ACCESS#/);
  });

  it('fails the sign-in when the record cannot be written (no unaudited sign-in)', async () => {
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).rejects(new Error('table unavailable'));
    await expect(handler(trigger({ sub: 'u-3', 'custom:orgId': 'org-1' }))).rejects.toThrow('table unavailable');
  });
});
