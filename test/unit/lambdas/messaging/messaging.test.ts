import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { decodeTime, ulid } from 'ulid';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { careEventsFromRecord } from '../../../../lambdas/events/app.js';
import type { AttachmentStore } from '../../../../lambdas/messaging/attachment-store.js';
import { contentDisposition } from '../../../../lambdas/messaging/attachment-store.js';
import { createMessagingHandler } from '../../../../lambdas/messaging/app.js';
import { nextMessageId } from '../../../../lambdas/messaging/service.js';
import { Db } from '../../../../lambdas/shared/data/db.js';
import { ErrorBody } from '../../../../schemas/common.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger, type EventSpec, type TestCaller } from '../support/api-events.js';
import { streamRecord } from '../support/stream-records.js';
import { offlineDynamoClient, plain, wire } from '../../../support/dynamodb-mock.js';

const ddb = mockClient(DynamoDBClient);
const client = offlineDynamoClient();
const store: AttachmentStore = {
  uploadUrl: async (r) => `https://upload.test/${r.key}`,
  downloadUrl: async (r) => `https://download.test/${r.key}`,
  head: async () => undefined,
  copy: async () => undefined,
};
const handler = createMessagingHandler({ db: new Db(client, 'table-1'), attachments: store, clock: fixedClock('2025-03-01T10:00:00.000Z'), logger: silentLogger() });
const invoke = (spec: EventSpec) => handler(apiEvent(spec), lambdaContext());

const aide: TestCaller = { userId: 'aide-1', orgId: 'org-1', roles: ['aide'] };
const compliance: TestCaller = { userId: 'comp-1', orgId: 'org-1', roles: ['compliance'] };
const conv = { pathParameters: { conversationId: 'conv-1' } };

beforeEach(() => ddb.reset());
afterAll(() => ddb.restore());

function expectError(res: { statusCode: number; body: string }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  const body = bodyOf(res);
  expect(ErrorBody.safeParse(body).success).toBe(true);
  expect(body.error.code).toBe(code);
  return body.error as { details?: Array<{ path: string; message: string }> };
}

const nothingWritten = () => {
  expect(ddb).not.toHaveReceivedCommand(TransactWriteItemsCommand);
  expect(ddb).not.toHaveReceivedCommand(PutItemCommand);
};

describe('route rules and validation (nothing is read or written)', () => {
  it('compliance may not message: 403 on every conversation route but its own (empty) list', async () => {
    expectError(await invoke({ route: 'POST /conversations', caller: compliance, body: { participantIds: ['x'] } }), 403, 'forbidden');
    expectError(await invoke({ route: 'POST /conversations/{conversationId}/messages', caller: compliance, ...conv, body: { body: 'hi' } }), 403, 'forbidden');
    expectError(await invoke({ route: 'POST /attachments', caller: compliance, body: { fileName: 'a.pdf', contentType: 'application/pdf', size: 1 } }), 403, 'forbidden');
    nothingWritten();
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect((await invoke({ route: 'GET /me/conversations', caller: compliance })).statusCode).toBe(200);
  });

  it.each([
    ['an empty body', { body: '' }, 'body.body'],
    ['a blank body', { body: '   ' }, 'body.body'],
    ['4,001 characters', { body: 'x'.repeat(4001) }, 'body.body'],
    ['an unknown field', { body: 'hi', senderId: 'me' }, 'body.senderId'],
    ['eleven attachments', { body: 'hi', attachmentIds: Array.from({ length: 11 }, (_, i) => `a${i}`) }, 'body.attachmentIds'],
  ])('a message with %s is 400 naming the field', async (_what, body, path) => {
    const error = expectError(await invoke({ route: 'POST /conversations/{conversationId}/messages', caller: aide, ...conv, body }), 400, 'validation_failed');
    expect(error.details!.map((d) => d.path)).toContain(path);
    nothingWritten();
  });

  it('accepts exactly 4,000 characters as far as validation goes (then asks who the caller is)', async () => {
    ddb.on(GetItemCommand).resolves({});
    expectError(await invoke({ route: 'POST /conversations/{conversationId}/messages', caller: aide, ...conv, body: { body: 'x'.repeat(4000) } }), 404, 'not_found');
    nothingWritten();
  });

  it.each([
    ['over 10 MB', { fileName: 'scan.pdf', contentType: 'application/pdf', size: 10 * 1024 * 1024 + 1 }, 'body.size'],
    ['a disallowed type', { fileName: 'x.exe', contentType: 'application/octet-stream', size: 10 }, 'body.contentType'],
    ['a path for a name', { fileName: '../../etc/passwd', contentType: 'text/plain', size: 10 }, 'body.fileName'],
    ['an empty file', { fileName: 'empty.txt', contentType: 'text/plain', size: 0 }, 'body.size'],
  ])('an attachment %s is 400', async (_what, body, path) => {
    const error = expectError(await invoke({ route: 'POST /attachments', caller: aide, body }), 400, 'validation_failed');
    expect(error.details!.map((d) => d.path)).toContain(path);
    nothingWritten();
  });

  it('more than 20 participants is 400 before any read', async () => {
    const error = expectError(
      await invoke({ route: 'POST /conversations', caller: aide, body: { participantIds: Array.from({ length: 21 }, (_, i) => `u${i}`) } }),
      400,
      'validation_failed',
    );
    expect(error.details![0]!.path).toBe('body.participantIds');
    expect(ddb).not.toHaveReceivedCommand(GetItemCommand);
  });
});

describe('access', () => {
  it('a non-participant gets 404 on the conversation, its messages and receipts', async () => {
    ddb.on(GetItemCommand).resolves({});
    for (const spec of [
      { route: 'GET /conversations/{conversationId}' },
      { route: 'GET /conversations/{conversationId}/messages' },
      { route: 'POST /conversations/{conversationId}/read', body: { upToMessageId: ulid() } },
      { route: 'POST /conversations/{conversationId}/participants', body: { userId: 'x' } },
    ]) {
      expectError(await invoke({ ...spec, caller: aide, ...conv }), 404, 'not_found');
    }
    nothingWritten();
  });

  it('someone else\'s attachment reads like an unknown one: 404 on download, 400 when sent', async () => {
    const attachment = { id: 'att-1', orgId: 'org-1', uploadedBy: 'family-1', fileName: 'a.pdf', contentType: 'application/pdf', size: 5, objectKey: 'pending/org-1/att-1', conversationIds: {} };
    ddb.on(GetItemCommand).callsFake((input) => (String(plain(input.Key).SK).startsWith('PART#') ? { Item: wire({ conversationId: 'conv-1', userId: 'aide-1', participantIds: ['aide-1'] }) } : { Item: wire(attachment) }));
    ddb.on(BatchGetItemCommand).resolves({ Responses: { 'table-1': [wire(attachment)] } });
    expectError(await invoke({ route: 'GET /attachments/{attachmentId}', caller: aide, pathParameters: { attachmentId: 'att-1' } }), 404, 'not_found');
    const error = expectError(
      await invoke({ route: 'POST /conversations/{conversationId}/messages', caller: aide, ...conv, body: { body: 'hi', attachmentIds: ['att-1'] } }),
      400,
      'validation_failed',
    );
    expect(error.details).toEqual([{ path: 'body.attachmentIds.0', message: 'no attachment of yours with this id' }]);
    nothingWritten();
  });
});

describe('message ids', () => {
  it('are after the conversation\'s last message even when the clock is behind or in the same millisecond', () => {
    const now = Date.parse('2025-03-01T10:00:00.000Z');
    const last = ulid(now + 5_000); // another instance, ahead of us
    for (let i = 0; i < 200; i++) {
      const next = nextMessageId(now, last);
      expect(next > last).toBe(true);
      // In the last id's millisecond when its random part allows, else the next one.
      expect([now + 5_000, now + 5_001]).toContain(decodeTime(next));
      const sameMs = ulid(now);
      expect(nextMessageId(now, sameMs) > sameMs).toBe(true);
    }
    expect(decodeTime(nextMessageId(now, null))).toBe(now);
  });
});

describe('MessageSent', () => {
  const message = {
    PK: 'ORG#org-1#CONV#conv-1', SK: 'MSG#m1', entityType: 'Message', id: 'm1', orgId: 'org-1', conversationId: 'conv-1',
    senderId: 'aide-1', body: 'Private words', recipientIds: ['family-1', 'clinician-1'], patientId: 'p1', version: 1,
    updatedAt: '2025-03-01T10:00:00.000Z', updatedBy: 'aide-1',
  };

  it('goes to every other participant on onMyEvent, with the conversation id, never to patient subscribers', () => {
    const events = careEventsFromRecord(streamRecord({ eventName: 'INSERT', seq: '9', newImage: message }));
    expect(events.map((e) => e.recipientId)).toEqual(['family-1', 'clinician-1']);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'MessageSent', entityType: 'Message', entityId: 'm1', patientId: null, orgId: 'org-1' });
      expect(e.data).toMatchObject({ conversationId: 'conv-1', actorId: 'aide-1' });
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
    expect(JSON.stringify(events)).not.toContain('Private words');
  });

  it('a participant\'s counters changing is no event', () => {
    const part = { PK: 'ORG#org-1#CONV#conv-1', SK: 'PART#u', entityType: 'ConversationParticipant', id: 'conv-1:u', orgId: 'org-1', userId: 'u', conversationId: 'conv-1', unreadCount: 1 };
    expect(careEventsFromRecord(streamRecord({ eventName: 'MODIFY', seq: '10', oldImage: part, newImage: { ...part, unreadCount: 2 } }))).toEqual([]);
  });
});

describe('attachment downloads', () => {
  it('Content-Disposition keeps quotes and non-ASCII out of the plain filename', () => {
    expect(contentDisposition('a"b\\c é.pdf')).toBe(`attachment; filename="a_b_c _.pdf"; filename*=UTF-8''a%22b%5Cc%20%C3%A9.pdf`);
  });
});
