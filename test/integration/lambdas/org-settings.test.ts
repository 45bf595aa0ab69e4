/**
 * `GET/PATCH /org/settings` on DynamoDB Local: defaults at version 1, the first change creates the
 * item, a stale version is 409 and changes nothing, parallel changes of one version: exactly one
 * wins, orgs never see each other's settings, bad values are 400 naming the field.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHandler } from '../../../lambdas/identity/app.js';
import type { UserDirectory } from '../../../lambdas/identity/user-directory.js';
import { Db } from '../../../lambdas/shared/data/db.js';
import { OrgSettingsRepository } from '../../../lambdas/shared/people/org-settings.js';
import type { ApiHandler } from '../../../lambdas/shared/http/api.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';
import { apiEvent, bodyOf, fixedClock, lambdaContext, silentLogger, type TestCaller } from '../../unit/lambdas/support/api-events.js';

let table: TestTable;
let api: ApiHandler;
const orgA = `org-${randomUUID()}`;
const orgB = `org-${randomUUID()}`;
const admin = (orgId: string): TestCaller => ({ userId: `admin-${orgId}`, orgId, roles: ['admin'] });
const directory = {} as UserDirectory;

const call = async (caller: TestCaller, route: 'GET /org/settings' | 'PATCH /org/settings', body?: unknown) => {
  const res = await api(apiEvent({ route, caller, ...(body !== undefined ? { body } : {}) }), lambdaContext());
  return { status: res.statusCode, body: bodyOf(res) };
};

beforeAll(async () => {
  table = await createTestTable('org-settings-it');
  api = createIdentityHandler({ db: new Db(table.client, table.tableName), directory, clock: fixedClock('2026-05-01T10:00:00.000Z'), logger: silentLogger() });
});
afterAll(async () => {
  await table?.drop();
});

describe('org settings', () => {
  it('starts from the defaults and keeps each change on condition of the version', async () => {
    expect(await call(admin(orgA), 'GET /org/settings')).toEqual({
      status: 200,
      body: { timezone: 'UTC', travelSpeedKmh: 30, evvLockDays: 95, criticalEscalationMinutes: 30, messageRetentionDays: null, version: 1 },
    });
    const first = await call(admin(orgA), 'PATCH /org/settings', { version: 1, timezone: 'America/New_York', travelSpeedKmh: 40 });
    expect(first).toMatchObject({ status: 200, body: { timezone: 'America/New_York', travelSpeedKmh: 40, evvLockDays: 95, version: 2 } });
    expect((await call(admin(orgA), 'PATCH /org/settings', { version: 1, evvLockDays: 10 })).body.error.code).toBe('version_conflict');
    const second = await call(admin(orgA), 'PATCH /org/settings', { version: 2, criticalEscalationMinutes: 15 });
    expect(second.body).toMatchObject({ timezone: 'America/New_York', criticalEscalationMinutes: 15, version: 3 });
    expect((await call(admin(orgA), 'GET /org/settings')).body).toEqual(second.body);
    expect((await call(admin(orgB), 'GET /org/settings')).body.timezone).toBe('UTC');
  });

  it('lets exactly one of parallel changes of one version win', async () => {
    const org = `org-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => call(admin(org), 'PATCH /org/settings', { version: 1, travelSpeedKmh: 10 + i })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    expect((await call(admin(org), 'GET /org/settings')).body.version).toBe(2);
  });

  it.each([
    [{ version: 1, travelSpeedKmh: 4 }, 'body.travelSpeedKmh'],
    [{ version: 1, evvLockDays: 0 }, 'body.evvLockDays'],
    [{ version: 1, criticalEscalationMinutes: 241 }, 'body.criticalEscalationMinutes'],
    [{ version: 1, timezone: 'Mars/Olympus' }, 'body.timezone'],
    [{ version: 1, colour: 'blue' }, 'body.colour'],
    [{ version: 1, messageRetentionDays: 29 }, 'body.messageRetentionDays'],
    [{ version: 1, messageRetentionDays: 3651 }, 'body.messageRetentionDays'],
    [{ version: 1, messageRetentionDays: 30.5 }, 'body.messageRetentionDays'],
  ])('refuses %j naming the field', async (body, path) => {
    const org = `org-${randomUUID()}`;
    const res = await call(admin(org), 'PATCH /org/settings', body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await call(admin(org), 'GET /org/settings')).body.version).toBe(1);
  });

  it('keeps a message retention, and when it grows or ends, the instant up to which messages stay gone (docs/retention.md)', async () => {
    const org = `org-${randomUUID()}`;
    const settings = new OrgSettingsRepository(new Db(table.client, table.tableName));
    const set = await call(admin(org), 'PATCH /org/settings', { version: 1, messageRetentionDays: 30 });
    expect(set.body).toMatchObject({ messageRetentionDays: 30, version: 2 });
    expect(await settings.messageRetention(org)).toEqual({ retentionDays: 30, expiredThrough: null, version: 2 });
    // Lengthened: what 30 days had expired (by the fixed clock) stays expired.
    await call(admin(org), 'PATCH /org/settings', { version: 2, messageRetentionDays: 365 });
    expect(await settings.messageRetention(org)).toEqual({ retentionDays: 365, expiredThrough: '2026-04-01T10:00:00.000Z', version: 3 });
    // Switched off: the floor stays (it never moves back), the setting reads null.
    const off = await call(admin(org), 'PATCH /org/settings', { version: 3, messageRetentionDays: null });
    expect(off.body).toMatchObject({ messageRetentionDays: null, version: 4 });
    expect((await call(admin(org), 'GET /org/settings')).body.messageRetentionDays).toBeNull();
    expect(await settings.messageRetention(org)).toEqual({ retentionDays: null, expiredThrough: '2026-04-01T10:00:00.000Z', version: 4 });
    // The floor is no setting: clients never see it.
    expect(JSON.stringify((await call(admin(org), 'GET /org/settings')).body)).not.toContain('xpiredThrough');
  });

  it('lets only admins change them', async () => {
    const res = await call({ userId: 'c', orgId: orgA, roles: ['coordinator'] }, 'PATCH /org/settings', { version: 3, evvLockDays: 30 });
    expect(res.status).toBe(403);
  });
});
