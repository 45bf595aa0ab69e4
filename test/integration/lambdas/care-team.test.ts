/**
 * The one care-team link writer (lambdas/shared/people/care-team.ts) on DynamoDB Local: a join
 * writes the link once and leaves an existing one alone; a join raced by another writer between
 * its read and its transaction runs again without the link; a put changes the relationship and
 * counts each of N parallel puts in the version.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../../../lambdas/shared/data/db.js';
import { CareTeamMemberEntity } from '../../../lambdas/shared/data/entities.js';
import type { WriteContext } from '../../../lambdas/shared/data/write-context.js';
import { CARE_TEAM_JOIN_PART, CareTeamWrites, type MemberProfile } from '../../../lambdas/shared/people/care-team.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';

let table: TestTable;
let db: Db;
const orgId = `org-${randomUUID()}`;
const ctx = (actorId = 'staff-1'): WriteContext => ({ orgId, actorId, actorRoles: ['coordinator'], requestId: randomUUID(), source: 'api', now: '2026-05-01T10:00:00.000Z' });
const member = (userId: string): MemberProfile => ({ userId, displayName: `Aide ${userId}`, email: `${userId}@example.org`, role: 'aide' });
const link = (patientId: string, userId: string) => db.get(CareTeamMemberEntity.key(orgId, patientId, userId), true);

beforeAll(async () => {
  table = await createTestTable('care-team-it');
  db = new Db(table.client, table.tableName);
});
afterAll(async () => {
  await table?.drop();
});

describe('CareTeamWrites', () => {
  it('joins once: the first write carries the link, a second finds it and writes none', async () => {
    const writes = new CareTeamWrites(db);
    const parts: string[][] = [];
    const join = () =>
      writes.write(ctx(), { patientId: 'P1', member: member('a1'), relationship: 'aide', mode: 'join' }, async (j) => {
        parts.push(Object.keys(j));
        if (j.careTeamJoin) await db.transact({ ...j });
      });
    await join();
    await join();
    expect(parts).toEqual([[CARE_TEAM_JOIN_PART], []]);
    expect(await link('P1', 'a1')).toMatchObject({ relationship: 'aide', version: 1, addedBy: 'staff-1', updatedBy: 'staff-1' });
  });

  it('runs a join again without the link when another writer put it between the read and the transaction', async () => {
    const writes = new CareTeamWrites(db);
    const seen: string[][] = [];
    let raced = false;
    await writes.write(ctx(), { patientId: 'P2', member: member('a2'), relationship: 'aide', mode: 'join' }, async (j) => {
      seen.push(Object.keys(j));
      if (!raced) {
        raced = true;
        await new CareTeamWrites(db).write(ctx('staff-2'), { patientId: 'P2', member: member('a2'), relationship: 'aide', mode: 'join' }, (other) => db.transact({ ...other }));
      }
      if (j.careTeamJoin) await db.transact({ ...j });
    });
    expect(seen).toEqual([[CARE_TEAM_JOIN_PART], []]);
    expect(await link('P2', 'a2')).toMatchObject({ version: 1, addedBy: 'staff-2' });
  });

  it('puts: changes the relationship, keeps when and by whom it was added, and counts every parallel put', async () => {
    const writes = new CareTeamWrites(db);
    const put = (relationship: 'aide' | 'clinician', actor: string) =>
      writes.write(ctx(actor), { patientId: 'P3', member: member('c3'), relationship, mode: 'put' }, (j) => db.transact({ ...j }));
    await put('aide', 'staff-1');
    await Promise.all([put('clinician', 'staff-2'), put('clinician', 'staff-3'), put('clinician', 'staff-4')]);
    expect(await link('P3', 'c3')).toMatchObject({ relationship: 'clinician', version: 4, addedBy: 'staff-1' });
  });
});
