/**
 * The messaging function against a real DynamoDB Local table: conversations, sends, receipts and
 * attachments through createMessagingHandler, with users, patients and care teams made through
 * the identity function on the same table. The centre piece: unread counts stay exact while many
 * sends and read receipts race on one conversation.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHandler } from '../../../lambdas/identity/app.js';
import type { NewLogin, UserDirectory } from '../../../lambdas/identity/user-directory.js';
import type { AttachmentStore } from '../../../lambdas/messaging/attachment-store.js';
import { createMessagingHandler } from '../../../lambdas/messaging/app.js';
import { ConversationKeys } from '../../../lambdas/messaging/keys.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import type { Role } from '../../../schemas/roles.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, lambdaContext, silentLogger, type EventSpec, type TestCaller } from '../../unit/lambdas/support/api-events.js';
import type { Json } from '../../support/json.js';

class MemoryDirectory implements UserDirectory {
  async createLogin(_login: NewLogin) {
    return { userId: randomUUID() };
  }
  async deleteLogin() {}
}

/** The attachment store as a map of "uploaded" sizes: uploading is `put(key, size)`. */
class MemoryStore implements AttachmentStore {
  readonly objects = new Map<string, number>();
  put(key: string, size: number) {
    this.objects.set(key, size);
  }
  async uploadUrl(r: { key: string }) {
    return `memory://put/${r.key}`;
  }
  async downloadUrl(r: { key: string }) {
    return `memory://get/${r.key}`;
  }
  async head(key: string) {
    const size = this.objects.get(key);
    return size === undefined ? undefined : { size };
  }
  async copy(from: string, to: string) {
    this.objects.set(to, this.objects.get(from)!);
  }
}

let table: TestTable;
let db: Db;
let doc: DynamoDBDocumentClient;
let identity: ApiHandler;
let messaging: ApiHandler;
const store = new MemoryStore();
const clock = { now: () => new Date() };

beforeAll(async () => {
  table = await createTestTable('messaging-it');
  db = new Db(table.client, table.tableName);
  doc = DynamoDBDocumentClient.from(table.client);
  identity = createIdentityHandler({ db, directory: new MemoryDirectory(), clock, logger: silentLogger() });
  messaging = createMessagingHandler({ db, attachments: store, clock, logger: silentLogger() });
});

afterAll(async () => {
  await table?.drop();
});

interface Res<T = Json> {
  status: number;
  body: T;
}

async function call<T = Json>(caller: TestCaller, route: string, opts: Omit<EventSpec, 'route' | 'caller'> = {}): Promise<Res<T>> {
  const handler = route.includes('/patients') || route.includes('/users') ? identity : messaging;
  const res = await handler(apiEvent({ route, ...opts, caller }), lambdaContext());
  return { status: res.statusCode, body: bodyOf<T>(res) };
}

/** A fresh org: an admin (staff need no profile) and users of the given roles with profiles. */
async function newOrg(roles: Role[]) {
  const orgId = `org-${randomUUID()}`;
  const admin: TestCaller = { userId: `admin-${randomUUID()}`, orgId, roles: ['admin'] };
  const users: TestCaller[] = [];
  for (const role of roles) {
    const res = await call(admin, 'POST /users', { body: { email: `${role}-${randomUUID()}@example.test`, displayName: `A ${role}`, role } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    users.push({ userId: res.body.userId, orgId, roles: [role] });
  }
  return { orgId, admin, users };
}

async function conversation(creator: TestCaller, others: TestCaller[], extra: Record<string, unknown> = {}) {
  const res = await call(creator, 'POST /conversations', { body: { participantIds: others.map((o) => o.userId), ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const conv = (conversationId: string) => ({ pathParameters: { conversationId } });

async function allMessages(caller: TestCaller, conversationId: string): Promise<Array<{ id: string; senderId: string }>> {
  const out: Array<{ id: string; senderId: string }> = [];
  let cursor: string | null = null;
  do {
    const res: Res = await call(caller, 'GET /conversations/{conversationId}/messages', { ...conv(conversationId), query: { limit: '100', ...(cursor ? { cursor } : {}) } });
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

/** Every item of the conversation's partition (META, participants, messages). */
async function partition(orgId: string, conversationId: string) {
  const out = await doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': ConversationKeys.partition(orgId, conversationId) }, ConsistentRead: true }));
  return out.Items ?? [];
}

describe('unread counts under parallel sends and receipts', () => {
  it('stay exact: every participant unread = the others\' messages after their receipt, never negative', async () => {
    const { orgId, users } = await newOrg(['aide', 'family', 'clinician', 'coordinator']);
    const [a, b, c, d] = users as [TestCaller, TestCaller, TestCaller, TestCaller];
    const id = await conversation(a, [b, c, d]);

    // Count transaction attempts, to report how much the races cost.
    let transactions = 0;
    const transact = db.transact.bind(db);
    db.transact = async (items, attempts) => {
      transactions++;
      return transact(items, attempts);
    };

    const SENDS_PER_USER = 10;
    const RECEIPTS_PER_READER = 10;
    const started = performance.now();
    const sends = users.flatMap((u, i) =>
      Array.from({ length: SENDS_PER_USER }, (_, n) => call(u, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: `m ${i}.${n}` } })),
    );
    // Readers keep reading up to the newest message they can see while the sends race.
    const readers = [b, c].map(async (reader) => {
      const statuses: number[] = [];
      for (let n = 0; n < RECEIPTS_PER_READER; n++) {
        const newest = await call(reader, 'GET /conversations/{conversationId}/messages', { ...conv(id), query: { limit: '1' } });
        const top = newest.body.items[0]?.id;
        if (top) statuses.push((await call(reader, 'POST /conversations/{conversationId}/read', { ...conv(id), body: { upToMessageId: top } })).status);
      }
      return statuses;
    });
    const [sent, receipts] = await Promise.all([Promise.all(sends), Promise.all(readers)]);
    const elapsedMs = performance.now() - started;
    db.transact = transact;

    expect(sent.map((r) => r.status)).toEqual(Array(users.length * SENDS_PER_USER).fill(201));
    expect(receipts.flat().every((s) => s === 200)).toBe(true);

    const messages = await allMessages(a, id);
    expect(messages).toHaveLength(users.length * SENDS_PER_USER);
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    const items = await partition(orgId, id);
    const meta = items.find((i) => i.SK === 'META')!;
    expect(meta.messageCount).toBe(messages.length);
    expect(meta.lastMessageId).toBe(messages[0]!.id); // the last to commit is the newest id

    for (const u of users) {
      const part = items.find((i) => i.SK === `PART#${u.userId}`)!;
      const after = (part.lastReadMessageId as string | undefined) ?? '';
      const expected = messages.filter((m) => m.senderId !== u.userId && m.id > after).length;
      expect({ user: u.roles[0], unread: part.unreadCount }).toEqual({ user: u.roles[0], unread: expected });
      expect(part.unreadCount).toBeGreaterThanOrEqual(0);
    }

    // Everyone reads up to the newest: every count is zero, and again is a no-op.
    for (const u of users) {
      const res = await call(u, 'POST /conversations/{conversationId}/read', { ...conv(id), body: { upToMessageId: messages[0]!.id } });
      expect(res.body.unreadCount).toBe(0);
    }
    const list = await call(b, 'GET /me/conversations');
    expect(list.body.items[0]).toMatchObject({ id, unreadCount: 0, lastMessageId: messages[0]!.id });

    // The figures the issue asks for (docs/data-model.md quotes them).
    console.info(
      `[messaging] ${sent.length} parallel sends + ${receipts.flat().length} receipts by 2 readers in ${Math.round(elapsedMs)} ms; ` +
        `${transactions} transactions for ${sent.length + receipts.flat().length} writes; unread counts exact for ${users.length}/${users.length} participants`,
    );
  });
});

describe('conversations', () => {
  it('lists my conversations by latest activity with unread counts, in one page per query', async () => {
    const { users } = await newOrg(['aide', 'family']);
    const [aide, family] = users as [TestCaller, TestCaller];
    const first = await conversation(aide, [family], { subject: 'first' });
    const second = await conversation(aide, [family], { subject: 'second' });
    const third = await conversation(aide, [family], { subject: 'third' });
    await new Promise((r) => setTimeout(r, 5));
    await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(first), body: { body: 'bump' } });

    const page1 = await call(family, 'GET /me/conversations', { query: { limit: '2' } });
    expect(page1.body.items.map((c: { id: string }) => c.id)).toEqual([first, third]);
    expect(page1.body.items[0]).toMatchObject({ unreadCount: 1, subject: 'first' });
    const page2 = await call(family, 'GET /me/conversations', { query: { limit: '2', cursor: page1.body.nextCursor } });
    expect(page2.body.items.map((c: { id: string }) => c.id)).toEqual([second]);
  });

  it('refuses bad participants with 400 and writes nothing', async () => {
    const { users, admin } = await newOrg(['aide', 'compliance']);
    const [aide, compliance] = users as [TestCaller, TestCaller];
    const other = await newOrg(['family']);

    const foreign = await call(aide, 'POST /conversations', { body: { participantIds: [other.users[0]!.userId] } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([{ path: 'body.participantIds.0', message: 'no such user in your organisation' }]);
    const auditor = await call(aide, 'POST /conversations', { body: { participantIds: [compliance.userId] } });
    expect(auditor.status).toBe(400);
    const alone = await call(aide, 'POST /conversations', { body: { participantIds: [aide.userId] } });
    expect(alone.status).toBe(400);
    const crowd = await call(aide, 'POST /conversations', { body: { participantIds: Array.from({ length: 20 }, () => randomUUID()) } });
    expect(crowd.status).toBe(400);
    expect((await call(compliance, 'POST /conversations', { body: { participantIds: [aide.userId] } })).status).toBe(403);
    expect((await call(aide, 'GET /me/conversations')).body.items).toEqual([]);
    expect((await call(admin, 'GET /me/conversations')).body.items).toEqual([]);
  });

  it('about a patient: every participant must see the patient, and losing the care team ends access', async () => {
    const { users, admin } = await newOrg(['aide', 'family', 'clinician']);
    const [aide, family, clinician] = users as [TestCaller, TestCaller, TestCaller];
    const patient = await call(admin, 'POST /patients', { body: { displayName: 'Rosa Parks', medicalRecordNumber: `MRN-${randomUUID()}` } });
    const patientId = patient.body.id as string;
    for (const [u, rel] of [[aide, 'aide'], [family, 'family']] as const) {
      expect((await call(admin, 'PUT /patients/{patientId}/care-team/{userId}', { pathParameters: { patientId, userId: u.userId }, body: { relationship: rel } })).status).toBe(200);
    }

    const refused = await call(family, 'POST /conversations', { body: { participantIds: [aide.userId, clinician.userId], patientId } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'body.participantIds.1', message: 'this user may not see the patient' }]);
    expect((await call(clinician, 'POST /conversations', { body: { participantIds: [aide.userId], patientId } })).status).toBe(404);

    const id = await conversation(family, [aide], { patientId });
    const addRefused = await call(family, 'POST /conversations/{conversationId}/participants', { ...conv(id), body: { userId: clinician.userId } });
    expect(addRefused.status).toBe(400);
    expect((await call(family, 'GET /conversations/{conversationId}', conv(id))).body.participantIds).toEqual([family.userId, aide.userId]);

    expect((await call(admin, 'DELETE /patients/{patientId}/care-team/{userId}', { pathParameters: { patientId, userId: aide.userId } })).status).toBe(204);
    expect((await call(aide, 'GET /conversations/{conversationId}', conv(id))).status).toBe(404);
    expect((await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'still here?' } })).status).toBe(404);
  });

  it('adding someone already there is 409, and a new participant starts with nothing unread', async () => {
    const { users } = await newOrg(['aide', 'family', 'clinician']);
    const [aide, family, clinician] = users as [TestCaller, TestCaller, TestCaller];
    const id = await conversation(aide, [family]);
    await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'before you came' } });
    expect((await call(family, 'POST /conversations/{conversationId}/participants', { ...conv(id), body: { userId: aide.userId } })).status).toBe(409);
    expect((await call(clinician, 'POST /conversations/{conversationId}/participants', { ...conv(id), body: { userId: clinician.userId } })).status).toBe(404);
    const added = await call(family, 'POST /conversations/{conversationId}/participants', { ...conv(id), body: { userId: clinician.userId } });
    expect(added.status).toBe(201);
    expect((await call(clinician, 'GET /conversations/{conversationId}', conv(id))).body.unreadCount).toBe(0);
    await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'welcome' } });
    expect((await call(clinician, 'GET /me/conversations')).body.items[0]).toMatchObject({ id, unreadCount: 1 });
    expect((await call(family, 'GET /me/conversations')).body.items[0].participantIds).toEqual([aide.userId, family.userId, clinician.userId]);
  });
});

describe('messages', () => {
  it('replays a send with the same Idempotency-Key and creates one message', async () => {
    const { orgId, users } = await newOrg(['aide', 'family']);
    const [aide, family] = users as [TestCaller, TestCaller];
    const id = await conversation(aide, [family]);
    const headers = { 'Idempotency-Key': 'send-1' };
    const one = await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), headers, body: { body: 'once' } });
    const two = await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), headers, body: { body: 'once' } });
    expect(two.body).toEqual(one.body);
    expect((await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), headers, body: { body: 'twice' } })).status).toBe(422);
    const items = await partition(orgId, id);
    expect(items.filter((i) => String(i.SK).startsWith('MSG#'))).toHaveLength(1);
    expect(items.find((i) => i.SK === `PART#${family.userId}`)!.unreadCount).toBe(1);
  });

  it('only the sender\'s own uploaded attachments, and a bad one writes nothing', async () => {
    const { orgId, users } = await newOrg(['aide', 'family']);
    const [aide, family] = users as [TestCaller, TestCaller];
    const id = await conversation(aide, [family]);
    const mine = await call(aide, 'POST /attachments', { body: { fileName: 'notes.txt', contentType: 'text/plain', size: 12 } });
    const theirs = await call(family, 'POST /attachments', { body: { fileName: 'photo.jpg', contentType: 'image/jpeg', size: 99 } });
    const key = (att: string) => `pending/${orgId}/${att}`;

    const notUploaded = await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'see file', attachmentIds: [mine.body.attachmentId] } });
    expect(notUploaded.status).toBe(400);
    store.put(key(mine.body.attachmentId), 11); // a different size than declared
    expect((await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'see file', attachmentIds: [mine.body.attachmentId] } })).status).toBe(400);
    store.put(key(mine.body.attachmentId), 12);
    store.put(key(theirs.body.attachmentId), 99);
    const stolen = await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'see file', attachmentIds: [mine.body.attachmentId, theirs.body.attachmentId] } });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.details[0].path).toBe('body.attachmentIds.1');
    expect((await partition(orgId, id)).filter((i) => String(i.SK).startsWith('MSG#'))).toHaveLength(0);
    // Before any message, only the uploader may fetch it.
    expect((await call(family, 'GET /attachments/{attachmentId}', { pathParameters: { attachmentId: mine.body.attachmentId } })).status).toBe(404);

    const ok = await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'see file', attachmentIds: [mine.body.attachmentId] } });
    expect(ok.status).toBe(201);
    expect(store.objects.has(`files/${orgId}/${mine.body.attachmentId}`)).toBe(true);
    const fetched = await call(family, 'GET /attachments/{attachmentId}', { pathParameters: { attachmentId: mine.body.attachmentId } });
    expect(fetched.body).toMatchObject({ fileName: 'notes.txt', downloadUrl: `memory://get/files/${orgId}/${mine.body.attachmentId}` });
  });

  it('a receipt for an unknown message is a 400; an older one changes nothing', async () => {
    const { users } = await newOrg(['aide', 'family']);
    const [aide, family] = users as [TestCaller, TestCaller];
    const id = await conversation(aide, [family]);
    const m1 = (await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'one' } })).body.id;
    const m2 = (await call(aide, 'POST /conversations/{conversationId}/messages', { ...conv(id), body: { body: 'two' } })).body.id;
    expect((await call(family, 'POST /conversations/{conversationId}/read', { ...conv(id), body: { upToMessageId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } })).status).toBe(400);
    expect((await call(family, 'POST /conversations/{conversationId}/read', { ...conv(id), body: { upToMessageId: m2 } })).body).toMatchObject({ lastReadMessageId: m2, unreadCount: 0 });
    expect((await call(family, 'POST /conversations/{conversationId}/read', { ...conv(id), body: { upToMessageId: m1 } })).body).toMatchObject({ lastReadMessageId: m2, unreadCount: 0 });
    // Sending implies having read: the aide's own state moved with their message.
    const state = (await call(family, 'GET /conversations/{conversationId}', conv(id))).body.readState;
    expect(state).toEqual([
      expect.objectContaining({ userId: aide.userId, lastReadMessageId: m2 }),
      expect.objectContaining({ userId: family.userId, lastReadMessageId: m2 }),
    ]);
  });
});
