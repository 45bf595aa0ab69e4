/**
 * Invitation rules without a database (aws-sdk-client-mock): the code and its hash, the visible
 * status, the pre-sign-up trigger's refusals (one message, nothing written), the post-confirmation
 * trigger's idempotency when Cognito retries (a cancelled transaction on an invitation this user
 * already accepted is success, and the group is still ensured), and the token claims.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { hashCode, hashEmail, newInvitationCode, normaliseCode } from '../../../../lambdas/invitations/code.js';
import { InvitationCodeKeys, InvitationKeys, SignUpKeys } from '../../../../lambdas/invitations/keys.js';
import { visibleStatus } from '../../../../lambdas/invitations/service.js';
import { createPostConfirmationHandler, createPreSignUpHandler, createTokenClaimsHandler, SIGN_UP_REFUSED } from '../../../../lambdas/invitations/triggers.js';
import { Db } from '../../../../lambdas/shared/data/db.js';
import { fixedClock, silentLogger } from '../support/api-events.js';
import { offlineDynamoClient, sentTransactItems, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const client = offlineDynamoClient();
const db = new Db(client, 'table-1');
const clock = fixedClock('2025-03-01T10:00:00.000Z');
const CODE = 'ABCD2345WXYZ';

const invitationItem = (over: Record<string, unknown> = {}) => ({
  ...InvitationKeys.key('org-1', 'inv-1'), invitationId: 'inv-1', orgId: 'org-1', email: 'ada@example.org', role: 'family', patientId: 'pat-1',
  status: 'pending', validUntil: '2025-03-08T10:00:00.000Z', createdAt: '2025-03-01T10:00:00.000Z', createdBy: 'admin-1', codeHash: hashCode(CODE), version: 1,
  ...over,
});

const preSignUpEvent = (email: string, code?: string, attributes: Record<string, string> = {}): PreSignUpTriggerEvent => ({
  version: '1', region: 'us-east-1', userPoolId: 'pool', userName: 'u-1', callerContext: { awsSdkVersion: '3', clientId: 'c' },
  triggerSource: 'PreSignUp_SignUp',
  request: { userAttributes: { email, ...attributes }, ...(code ? { clientMetadata: { invitationCode: code } } : {}) },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

describe('invitation codes', () => {
  it('are 12 characters of an unambiguous alphabet, different each time', () => {
    const codes = new Set(Array.from({ length: 200 }, newInvitationCode));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
  });

  it('hash the same however the invitee types them, and never equal the code', () => {
    expect(normaliseCode('abcd-2345 wxyz')).toBe(CODE);
    expect(hashCode('abcd-2345 wxyz')).toBe(hashCode(CODE));
    expect(hashCode(CODE)).not.toContain(CODE);
    expect(hashEmail('Ada@Example.org ')).toBe(hashEmail('ada@example.org'));
  });

  it('show a pending invitation past its expiry as expired, and the others as stored', () => {
    const now = '2025-03-08T10:00:00.000Z';
    expect(visibleStatus({ status: 'pending', expiresAt: '2025-03-08T10:00:00.000Z' }, now)).toBe('expired');
    expect(visibleStatus({ status: 'pending', expiresAt: '2025-03-08T10:00:00.001Z' }, now)).toBe('pending');
    expect(visibleStatus({ status: 'accepted', expiresAt: '2025-03-01T00:00:00.000Z' }, now)).toBe('accepted');
    expect(visibleStatus({ status: 'revoked', expiresAt: '2025-03-01T00:00:00.000Z' }, now)).toBe('revoked');
  });
});

describe('pre-sign-up trigger', () => {
  const handler = createPreSignUpHandler({ db, clock, logger: silentLogger() });
  const stored = (over: Record<string, unknown> = {}) => {
    ddb.on(GetItemCommand, { Key: wire(InvitationCodeKeys.key(hashCode(CODE))) }).resolves({ Item: wire({ orgId: 'org-1', invitationId: 'inv-1' }) });
    ddb.on(GetItemCommand, { Key: wire(InvitationKeys.key('org-1', 'inv-1')) }).resolves({ Item: wire(invitationItem(over)) });
    ddb.on(PutItemCommand).resolves({});
  };

  it('admits the invitation\'s own email with its code, remembering the sign-up by the email\'s hash', async () => {
    stored();
    await expect(handler(preSignUpEvent('ADA@example.org', CODE.toLowerCase()))).resolves.toMatchObject({ userName: 'u-1' });
    expect(ddb).toHaveReceivedCommandWith(PutItemCommand, { Item: expect.objectContaining(wire({ ...SignUpKeys.key(hashEmail('ada@example.org')), invitationId: 'inv-1', orgId: 'org-1' })) });
  });

  it.each([
    ['no code', () => preSignUpEvent('ada@example.org'), {}],
    ['another email', () => preSignUpEvent('eve@example.org', CODE), {}],
    ['an org attribute', () => preSignUpEvent('ada@example.org', CODE, { 'custom:orgId': 'org-2' }), {}],
    ['a revoked invitation', () => preSignUpEvent('ada@example.org', CODE), { status: 'revoked' }],
    ['a used invitation', () => preSignUpEvent('ada@example.org', CODE), { status: 'accepted', userId: 'someone' }],
    ['an expired invitation', () => preSignUpEvent('ada@example.org', CODE), { validUntil: '2025-03-01T10:00:00.000Z' }],
    ['a code replaced by a re-invite', () => preSignUpEvent('ada@example.org', CODE), { codeHash: hashCode('ZZZZ2345WXYZ') }],
  ])('refuses %s with the one message and writes nothing', async (_, event, over) => {
    stored(over);
    await expect(handler(event())).rejects.toThrow(SIGN_UP_REFUSED);
    expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('refuses an unknown code', async () => {
    ddb.on(GetItemCommand).resolves({});
    await expect(handler(preSignUpEvent('ada@example.org', 'NOSUCHCODE00'))).rejects.toThrow(SIGN_UP_REFUSED);
  });
});

describe('post-confirmation trigger', () => {
  const groups: string[][] = [];
  const handler = createPostConfirmationHandler({
    db, clock, logger: silentLogger(), groups: { addToGroup: async (pool, user, group) => void groups.push([pool, user, group]) },
  });
  const event = (triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp'): PostConfirmationTriggerEvent => ({
    version: '1', region: 'us-east-1', userPoolId: 'pool', userName: 'u-1', callerContext: { awsSdkVersion: '3', clientId: 'c' },
    triggerSource, request: { userAttributes: { sub: 'sub-1', email: 'ada@example.org', name: 'Ada' } }, response: {},
  });
  beforeEach(() => {
    groups.length = 0;
    ddb.on(GetItemCommand, { Key: wire(SignUpKeys.key(hashEmail('ada@example.org'))) }).resolves({ Item: wire({ orgId: 'org-1', invitationId: 'inv-1' }) });
  });

  it('accepts in one transaction conditioned on pending, then adds the group', async () => {
    ddb.on(GetItemCommand, { Key: wire(InvitationKeys.key('org-1', 'inv-1')) }).resolves({ Item: wire(invitationItem()) });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await handler(event());
    const items = sentTransactItems(ddb);
    expect(items[0]!.Update!.ConditionExpression).toContain('= :');
    expect(Object.values(items[0]!.Update!.ExpressionAttributeValues!)).toContain('pending');
    expect(items.map((i) => Object.keys(i)[0])).toEqual(['Update', 'Put', 'Put', 'Delete', 'ConditionCheck', 'Put']);
    expect(groups).toEqual([['pool', 'u-1', 'family']]);
  });

  it('treats a retry (already accepted by this user) as done: no error, the group ensured again', async () => {
    ddb.on(GetItemCommand, { Key: wire(InvitationKeys.key('org-1', 'inv-1')) })
      .resolvesOnce({ Item: wire(invitationItem()) })
      .resolves({ Item: wire(invitationItem({ status: 'accepted', userId: 'sub-1', version: 2 })) });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }),
    );
    await expect(handler(event())).resolves.toBeDefined();
    expect(groups).toEqual([['pool', 'u-1', 'family']]);
  });

  it('refuses when someone else accepted it, and adds no group', async () => {
    ddb.on(GetItemCommand, { Key: wire(InvitationKeys.key('org-1', 'inv-1')) })
      .resolvesOnce({ Item: wire(invitationItem()) })
      .resolves({ Item: wire(invitationItem({ status: 'accepted', userId: 'sub-2', version: 2 })) });
    ddb.on(TransactWriteItemsCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }] }),
    );
    await expect(handler(event())).rejects.toThrow(/accepted, not pending/);
    expect(groups).toEqual([]);
  });

  it('ignores a confirmed password reset', async () => {
    await handler(event('PostConfirmation_ConfirmForgotPassword'));
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
    expect(groups).toEqual([]);
  });
});

describe('token claims trigger', () => {
  const handler = createTokenClaimsHandler({ db, logger: silentLogger() });
  const event = (userAttributes: Record<string, string>): PreTokenGenerationV2TriggerEvent => ({
    version: '2', region: 'us-east-1', userPoolId: 'pool', userName: 'u', callerContext: { awsSdkVersion: '3', clientId: 'c' },
    triggerSource: 'TokenGeneration_RefreshTokens', request: { userAttributes, groupConfiguration: {} }, response: { claimsAndScopeOverrideDetails: {} },
  });

  it('takes an invited login\'s org and patient from its link, never from what the client could set', async () => {
    ddb.on(GetItemCommand).resolves({ Item: wire({ orgId: 'org-1', role: 'patient', patientId: 'pat-1' }) });
    const out = await handler(event({ sub: 'sub-1', email: 'p@example.org', name: 'custom:orgId' }));
    expect(out.response.claimsAndScopeOverrideDetails).toEqual({
      idTokenGeneration: { claimsToAddOrOverride: { 'custom:orgId': 'org-1', 'custom:patientId': 'pat-1' } },
      // The access token also gets the email and name, which Cognito puts in the ID token only.
      accessTokenGeneration: { claimsToAddOrOverride: { 'custom:orgId': 'org-1', 'custom:patientId': 'pat-1', email: 'p@example.org', name: 'custom:orgId' } },
    });
  });

  it('adds nothing for a login with no org anywhere', async () => {
    ddb.on(GetItemCommand).resolves({});
    const out = await handler(event({ sub: 'sub-9' }));
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({});
  });
});
