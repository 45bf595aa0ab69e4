/**
 * Invitations and the sign-up triggers against DynamoDB Local: the routes (create, list by status,
 * re-invite, revoke, another org's 404), and the triggers with Cognito's event shapes: every bad
 * sign-up is refused with nothing written, a good one is accepted exactly once (a retried
 * post-confirmation writes nothing new), and the token claims come from the invitation.
 */
import { randomUUID } from 'node:crypto';
import type { PostConfirmationTriggerEvent, PreSignUpTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitationsHandler } from '../../../lambdas/invitations/app.js';
import type { EventBridgeEvent } from 'aws-lambda';
import { createDeliveryBusHandler } from '../../../lambdas/delivery/app.js';
import type { OffAppMessage } from '../../../lambdas/delivery/messages.js';
import { DeliveryRepository } from '../../../lambdas/delivery/repository.js';
import { InvalidDestinationError, type Sender } from '../../../lambdas/delivery/sender.js';
import { EVENT_RULES, OFF_APP } from '../../../lambdas/registry.js';
import { EmailRequestEntity } from '../../../lambdas/shared/outbox/email-request.js';
import { createPostConfirmationHandler, createPreSignUpHandler, createTokenClaimsHandler, SIGN_UP_REFUSED } from '../../../lambdas/invitations/triggers.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamKeys, LoginKeys, PatientKeys, UserKeys } from '../../../lambdas/shared/data/keys.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, manualClock, silentLogger, type EventSpec, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { Json } from '../../support/json.js';

let table: TestTable;
let db: Db;
let handler: ApiHandler;
const clock = manualClock('2025-03-01T10:00:00.000Z');
/** The delivery function's channels, recorded; `refuse` makes SES-like failures. */
class RecordingSender implements Sender {
  readonly available = { email: true, sms: false, push: { apns: false, fcm: false } };
  sent: Array<{ to: string; subject: string; text: string; id: string }> = [];
  refuse: 'no' | 'transient' | 'permanent' = 'no';
  async email(to: string, m: OffAppMessage, id: string) {
    if (this.refuse === 'transient') throw new Error('Throttling');
    if (this.refuse === 'permanent') throw new InvalidDestinationError('MessageRejected');
    this.sent.push({ to, subject: m.subject, text: m.text, id });
    return { messageId: `m-${this.sent.length}` };
  }
  async sms(): Promise<never> { throw new Error('no sms'); }
  async push(): Promise<never> { throw new Error('no push'); }
  async removeEndpoint() {}
}
const sender = new RecordingSender();
const noScheduler = { putOneTime: async () => {}, putRecurring: async () => {}, delete: async () => {} };
let deliver: ReturnType<typeof createDeliveryBusHandler>;
/** The bus event the events function makes of the request's INSERT (ids only, no text). */
const emailRequested = (orgId: string, invitationId: string, id = `evt-${randomUUID()}`): EventBridgeEvent<string, unknown> => ({
  version: '0', id, 'detail-type': 'EmailRequested', source: 'carestack', account: '0', time: '', region: 'us-east-1', resources: [],
  detail: { id, orgId, patientId: null, recipientId: null, type: 'EmailRequested', entityType: 'EmailRequest', entityId: invitationId, at: clock.now().toISOString(), data: {} },
});
const groupAdds: Array<[string, string, string]> = [];
let preSignUp: ReturnType<typeof createPreSignUpHandler>;
let postConfirmation: ReturnType<typeof createPostConfirmationHandler>;
let tokenClaims: ReturnType<typeof createTokenClaimsHandler>;

beforeAll(async () => {
  table = await createTestTable('invitations-it');
  db = new Db(table.client, table.tableName);
  handler = createInvitationsHandler({ db, clock, logger: silentLogger(), invitationEmails: true });
  deliver = createDeliveryBusHandler({ db, sender, scheduler: noScheduler, clock, logger: silentLogger(), appUrl: 'https://app.example', offApp: OFF_APP });
  preSignUp = createPreSignUpHandler({ db, clock, logger: silentLogger() });
  postConfirmation = createPostConfirmationHandler({
    db, clock, logger: silentLogger(), groups: { addToGroup: async (pool, user, group) => void groupAdds.push([pool, user, group]) },
  });
  tokenClaims = createTokenClaimsHandler({ db, logger: silentLogger() });
});

afterAll(async () => {
  await table?.drop();
});

async function call<T = Json>(caller: TestCaller, route: string, opts: Omit<EventSpec, 'route' | 'caller'> = {}) {
  const res = await handler(apiEvent({ route, caller, ...opts }), lambdaContext());
  return { status: res.statusCode, body: bodyOf<T>(res) };
}

async function newOrg() {
  const orgId = `org-${randomUUID()}`;
  const patientId = `pat-${randomUUID()}`;
  await db.putItem({ ...PatientKeys.key(orgId, patientId), entityType: 'Patient', id: patientId, orgId, displayName: 'P', version: 1 });
  const who = (role: TestCaller['roles'][number]): TestCaller => ({ userId: `${role}-${randomUUID()}`, orgId, roles: [role] });
  return { orgId, patientId, admin: who('admin'), coordinator: who('coordinator'), aide: who('aide'), family: who('family') };
}

const invite = (caller: TestCaller, body: unknown) => call(caller, 'POST /invitations', { body });

const signUpEvent = (email: string, code: string | undefined, extra: Record<string, string> = {}): PreSignUpTriggerEvent => ({
  version: '1', region: 'us-east-1', userPoolId: 'us-east-1_test', userName: randomUUID(),
  callerContext: { awsSdkVersion: 'test', clientId: 'client' }, triggerSource: 'PreSignUp_SignUp',
  request: { userAttributes: { email, ...extra }, ...(code !== undefined ? { clientMetadata: { invitationCode: code } } : {}) },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

const confirmEvent = (email: string, sub: string): PostConfirmationTriggerEvent => ({
  version: '1', region: 'us-east-1', userPoolId: 'us-east-1_test', userName: sub,
  callerContext: { awsSdkVersion: 'test', clientId: 'client' }, triggerSource: 'PostConfirmation_ConfirmSignUp',
  request: { userAttributes: { sub, email, name: 'Invited Person', 'cognito:user_status': 'CONFIRMED' } },
  response: {},
});

const tokenEvent = (attributes: Record<string, string>): PreTokenGenerationV2TriggerEvent => ({
  version: '2', region: 'us-east-1', userPoolId: 'us-east-1_test', userName: attributes.sub ?? 'u',
  callerContext: { awsSdkVersion: 'test', clientId: 'client' }, triggerSource: 'TokenGeneration_Authentication',
  request: { userAttributes: attributes, groupConfiguration: { groupsToOverride: [] } },
  response: { claimsAndScopeOverrideDetails: {} },
});

describe('invitation routes', () => {
  it('creates an invitation with a code valid 7 days, emails it, and lists it as pending', async () => {
    const o = await newOrg();
    const res = await invite(o.coordinator, { email: 'Grace@Example.org', role: 'family', patientId: o.patientId });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[0-9A-Z]{12}$/);
    expect(res.body.expiresAt).toBe('2025-03-08T10:00:00.000Z');
    // The email is a request in the table, sent by the delivery function once.
    const request = await db.get(EmailRequestEntity.key(o.orgId, res.body.invitationId), true);
    expect(request).toMatchObject({ entityType: 'EmailRequest', to: 'grace@example.org', purpose: 'invitation', updatedBy: o.coordinator.userId });
    expect(EVENT_RULES[String(request!.entityType)]!.INSERT).toBe('EmailRequested');
    await deliver(emailRequested(o.orgId, res.body.invitationId));
    expect(sender.sent.at(-1)).toMatchObject({ to: 'grace@example.org', subject: 'Your CareStack invitation', id: res.body.invitationId });
    expect(sender.sent.at(-1)!.text).toContain(res.body.code);
    const pending = await call(o.admin, 'GET /invitations', { query: { status: 'pending' } });
    expect(pending.body.items).toEqual([expect.objectContaining({ invitationId: res.body.invitationId, email: 'grace@example.org', status: 'pending' })]);
    expect(JSON.stringify(pending.body)).not.toContain(res.body.code);
  });

  it('stores the code only hashed, but for the email request, which is gone once the email is sent', async () => {
    const o = await newOrg();
    const res = await invite(o.admin, { email: 'hash@example.org', role: 'family', patientId: o.patientId });
    const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const holding = async () =>
      ((await DynamoDBDocumentClient.from(table.client).send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true }))).Items ?? []).filter((i) => JSON.stringify(i).includes(res.body.code)).map((i) => i.entityType);
    expect(await holding()).toEqual(['EmailRequest']);
    await deliver(emailRequested(o.orgId, res.body.invitationId));
    expect(await holding()).toEqual([]);
  });

  it('the invitation email is sent at most once: redelivered, in parallel, after it was sent', async () => {
    const o = await newOrg();
    const res = await invite(o.admin, { email: 'once@example.org', role: 'family', patientId: o.patientId });
    const before = sender.sent.length;
    const event = emailRequested(o.orgId, res.body.invitationId);
    await Promise.all([deliver(event), deliver(event), deliver(emailRequested(o.orgId, res.body.invitationId))]);
    await deliver(event);
    expect(sender.sent.length - before).toBe(1);
    expect(await new DeliveryRepository(db).emailRecord(o.orgId, res.body.invitationId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a throttled send is retried by the next invocation; a refused address is never retried', async () => {
    const o = await newOrg();
    const a = await invite(o.admin, { email: 'retry@example.org', role: 'family', patientId: o.patientId });
    sender.refuse = 'transient';
    await expect(deliver(emailRequested(o.orgId, a.body.invitationId))).rejects.toThrow(/retrying/);
    sender.refuse = 'no';
    await deliver(emailRequested(o.orgId, a.body.invitationId));
    expect(sender.sent.at(-1)).toMatchObject({ to: 'retry@example.org' });
    expect(await new DeliveryRepository(db).emailRecord(o.orgId, a.body.invitationId)).toMatchObject({ status: 'sent', attempts: 2 });

    const b = await invite(o.admin, { email: 'refused@example.org', role: 'family', patientId: o.patientId });
    sender.refuse = 'permanent';
    await deliver(emailRequested(o.orgId, b.body.invitationId));
    sender.refuse = 'no';
    const count = sender.sent.length;
    await deliver(emailRequested(o.orgId, b.body.invitationId));
    expect(sender.sent.length).toBe(count);
    expect(await new DeliveryRepository(db).emailRecord(o.orgId, b.body.invitationId)).toMatchObject({ status: 'failed', permanent: true });
  });

  it('without an email sender configured, no request is written (staff pass the code on)', async () => {
    const o = await newOrg();
    const h = createInvitationsHandler({ db, clock, logger: silentLogger() });
    const created = bodyOf(await h(apiEvent({ route: 'POST /invitations', caller: o.admin, body: { email: 'nomail@example.org', role: 'family', patientId: o.patientId } }), lambdaContext()));
    expect(created.code).toEqual(expect.any(String));
    expect(await db.get(EmailRequestEntity.key(o.orgId, created.invitationId), true)).toBeUndefined();
  });

  it('re-inviting the same email for the same patient revokes the pending one and its code', async () => {
    const o = await newOrg();
    const first = await invite(o.admin, { email: 'again@example.org', role: 'family', patientId: o.patientId });
    const second = await invite(o.coordinator, { email: 'again@example.org', role: 'family', patientId: o.patientId });
    expect(second.status).toBe(201);
    const revoked = await call(o.admin, 'GET /invitations', { query: { status: 'revoked' } });
    expect(revoked.body.items.map((i: { invitationId: unknown }) => i.invitationId)).toEqual([first.body.invitationId]);
    await expect(preSignUp(signUpEvent('again@example.org', first.body.code))).rejects.toThrow(SIGN_UP_REFUSED);
    await expect(preSignUp(signUpEvent('again@example.org', second.body.code))).resolves.toBeDefined();
  });

  it('revokes a pending invitation once; another org gets 404; only staff invite', async () => {
    const o = await newOrg();
    const other = await newOrg();
    const res = await invite(o.admin, { email: 'rev@example.org', role: 'family', patientId: o.patientId });
    const id = res.body.invitationId;
    expect((await call(other.admin, 'DELETE /invitations/{invitationId}', { pathParameters: { invitationId: id } })).status).toBe(404);
    expect((await call(o.aide, 'DELETE /invitations/{invitationId}', { pathParameters: { invitationId: id } })).status).toBe(403);
    expect((await call(o.coordinator, 'DELETE /invitations/{invitationId}', { pathParameters: { invitationId: id } })).status).toBe(204);
    const again = await call(o.coordinator, 'DELETE /invitations/{invitationId}', { pathParameters: { invitationId: id } });
    expect(again.status).toBe(409);
    expect((await invite(o.family, { email: 'x@example.org', role: 'family', patientId: o.patientId })).status).toBe(403);
    expect((await invite(other.admin, { email: 'x@example.org', role: 'family', patientId: o.patientId })).status).toBe(404);
    expect((await invite(o.admin, { email: 'x@example.org', role: 'aide', patientId: o.patientId })).status).toBe(400);
    expect((await call(other.admin, 'GET /invitations')).body.items).toEqual([]);
  });

  it('lists a pending invitation past its expiry as expired', async () => {
    const o = await newOrg();
    const local = manualClock('2025-01-01T00:00:00.000Z');
    const h = createInvitationsHandler({ db, clock: local, logger: silentLogger(), invitationEmails: true });
    const created = await h(apiEvent({ route: 'POST /invitations', caller: o.admin, body: { email: 'old@example.org', role: 'family', patientId: o.patientId } }), lambdaContext());
    const id = bodyOf(created).invitationId;
    const expired = await call(o.admin, 'GET /invitations', { query: { status: 'expired' } });
    expect(expired.body.items.map((i: { invitationId: unknown; status: unknown }) => [i.invitationId, i.status])).toEqual([[id, 'expired']]);
    expect((await call(o.admin, 'GET /invitations', { query: { status: 'pending' } })).body.items).toEqual([]);
  });
});

describe('sign-up triggers', () => {
  it('refuses a sign-up without a code, with a wrong code, for another email, or with org attributes, and writes nothing', async () => {
    const o = await newOrg();
    const res = await invite(o.admin, { email: 'ada@example.org', role: 'family', patientId: o.patientId });
    const code = res.body.code as string;
    const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const count = async () => (await DynamoDBDocumentClient.from(table.client).send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }))).Count;
    const before = await count();
    for (const event of [
      signUpEvent('ada@example.org', undefined),
      signUpEvent('ada@example.org', 'WRONGWRONG00'),
      signUpEvent('eve@example.org', code),
      signUpEvent('ada@example.org', code, { 'custom:orgId': o.orgId }),
      signUpEvent('ada@example.org', code, { 'custom:patientId': o.patientId }),
      { ...signUpEvent('ada@example.org', code), triggerSource: 'PreSignUp_ExternalProvider' as const },
    ]) {
      await expect(preSignUp(event)).rejects.toThrow(SIGN_UP_REFUSED);
    }
    expect(await count()).toBe(before);
    // An admin's AdminCreateUser is not a self sign-up.
    await expect(preSignUp({ ...signUpEvent('staff@example.org', undefined), triggerSource: 'PreSignUp_AdminCreateUser' })).resolves.toBeDefined();
  });

  it('refuses an expired or revoked code', async () => {
    const o = await newOrg();
    const a = await invite(o.admin, { email: 'late@example.org', role: 'family', patientId: o.patientId });
    const b = await invite(o.admin, { email: 'gone@example.org', role: 'family', patientId: o.patientId });
    await call(o.admin, 'DELETE /invitations/{invitationId}', { pathParameters: { invitationId: b.body.invitationId } });
    await expect(preSignUp(signUpEvent('gone@example.org', b.body.code))).rejects.toThrow(SIGN_UP_REFUSED);
    const later = createPreSignUpHandler({ db, clock: manualClock('2025-03-08T10:00:00.000Z'), logger: silentLogger() });
    await expect(later(signUpEvent('late@example.org', a.body.code))).rejects.toThrow(SIGN_UP_REFUSED);
  });

  it('accepts a family invitation exactly once: care team, profile, group, login link; a retry writes nothing', async () => {
    const o = await newOrg();
    const res = await invite(o.admin, { email: 'fam@example.org', role: 'family', patientId: o.patientId });
    await preSignUp(signUpEvent('FAM@example.org', res.body.code.toLowerCase()));
    const sub = randomUUID();
    await postConfirmation(confirmEvent('fam@example.org', sub));
    const member = await db.get(CareTeamKeys.key(o.orgId, o.patientId, sub));
    expect(member).toMatchObject({ relationship: 'family', userId: sub, version: 1 });
    await postConfirmation(confirmEvent('fam@example.org', sub)); // Cognito retries
    expect(await db.get(CareTeamKeys.key(o.orgId, o.patientId, sub))).toMatchObject({ version: 1 });
    expect(await db.get(UserKeys.key(o.orgId, sub))).toMatchObject({ role: 'family', email: 'fam@example.org', version: 1 });
    expect(await db.get(LoginKeys.key(sub))).toMatchObject({ orgId: o.orgId, role: 'family' });
    expect(groupAdds.filter(([, u]) => u === sub)).toEqual([['us-east-1_test', sub, 'family'], ['us-east-1_test', sub, 'family']]);
    const accepted = await call(o.admin, 'GET /invitations', { query: { status: 'accepted' } });
    expect(accepted.body.items).toEqual([expect.objectContaining({ status: 'accepted', userId: sub })]);
    // The code is used: a second sign-up with it is refused.
    await expect(preSignUp(signUpEvent('fam@example.org', res.body.code))).rejects.toThrow(SIGN_UP_REFUSED);
    // Another user confirming against the same (now accepted) invitation is refused.
    await expect(postConfirmation(confirmEvent('fam@example.org', randomUUID()))).rejects.toThrow();
  });

  it('links a patient login to its record and puts the org and patient in both tokens', async () => {
    const o = await newOrg();
    const res = await invite(o.coordinator, { email: 'pat@example.org', role: 'patient', patientId: o.patientId });
    await preSignUp(signUpEvent('pat@example.org', res.body.code));
    const sub = randomUUID();
    await postConfirmation(confirmEvent('pat@example.org', sub));
    expect(await db.get(PatientKeys.key(o.orgId, o.patientId))).toMatchObject({ userId: sub });
    const out = await tokenClaims(tokenEvent({ sub, email: 'pat@example.org' }));
    const expected = { 'custom:orgId': o.orgId, 'custom:patientId': o.patientId };
    expect(out.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride).toEqual(expected);
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ ...expected, email: 'pat@example.org' });
    // A second patient invitation for a record with a login is refused at once.
    expect((await invite(o.admin, { email: 'pat2@example.org', role: 'patient', patientId: o.patientId })).status).toBe(409);
  });

  it('copies the immutable attributes of admin-created logins into the access token', async () => {
    const out = await tokenClaims(tokenEvent({ sub: randomUUID(), 'custom:orgId': 'org-1' }));
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ 'custom:orgId': 'org-1' });
  });
});
