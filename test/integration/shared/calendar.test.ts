/**
 * The one calendar against DynamoDB Local: of N overlapping bookings racing for one calendar exactly
 * one wins; bookings that do not overlap all win even when they share a day; a reschedule racing a
 * booking for the same time leaves exactly one of them; a 72-hour entry fits in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CalendarEntry, CalendarOwner } from '../../../lambdas/shared/calendar/calendar.js';
import { CalendarConflictError, Calendars } from '../../../lambdas/shared/calendar/calendar-repository.js';
import { Db, TransactionCancelledError } from '../../../lambdas/shared/data/db.js';
import type { WriteContext } from '../../../lambdas/shared/data/write-context.js';
import { createTestTable, type TestTable } from '../../support/dynamodb.js';

let table: TestTable;
let calendars: Calendars;
const orgId = `org-${randomUUID()}`;
const ctx: WriteContext = { orgId, actorId: 'coord-1', actorRoles: ['coordinator'], requestId: 'req', source: 'api', now: '2026-03-01T00:00:00.000Z' };
const provider = (): CalendarOwner => ({ kind: 'user', id: `prov-${randomUUID()}` });
const entry = (start: string, minutes: number, kind: CalendarEntry['kind'] = 'appointment'): CalendarEntry => ({
  id: randomUUID(),
  kind,
  start: new Date(start).toISOString(),
  end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
});
const book = (owner: CalendarOwner, e: CalendarEntry, remove: CalendarEntry[] = []) =>
  calendars.book(ctx, [{ owner, add: [e], remove }], () => ({}), () => e.id);

beforeAll(async () => {
  table = await createTestTable('calendar-it');
  calendars = new Calendars(new Db(table.client, table.tableName));
});
afterAll(async () => {
  await table?.drop();
});

describe('Calendars', () => {
  it('lets exactly one of 20 parallel overlapping bookings win, whatever their shapes', async () => {
    const owner = provider();
    // 20 bookings from 10:00 or 10:15, 30 to 90 minutes long: every one overlaps 10:15-10:30, and
    // no two have the same shape only by accident (a 60-minute at 10:00 and a 30-minute at 10:15...).
    const raced = Array.from({ length: 20 }, (_, i) => entry(`2026-03-10T${i % 2 ? '10:00' : '10:15'}:00Z`, 15 * (2 + (i % 5))));
    const results = await Promise.allSettled(raced.map((e) => book(owner, e)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    console.log(`[figures] calendar: ${raced.length} overlapping bookings raced, ${won.length} won`);
    expect(won).toHaveLength(1);
    expect(refused.every((r) => r.reason instanceof CalendarConflictError)).toBe(true);
    const w = await calendars.window(orgId, owner, [['2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z']]);
    expect(w.entries()).toHaveLength(1);
  });

  it('books every one of parallel bookings that share a day but not a minute', async () => {
    const owner = provider();
    const slots = Array.from({ length: 8 }, (_, i) => entry(`2026-03-11T${String(8 + i).padStart(2, '0')}:00:00Z`, 60));
    const results = await Promise.allSettled(slots.map((e) => book(owner, e)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    const w = await calendars.window(orgId, owner, [['2026-03-11T00:00:00Z', '2026-03-12T00:00:00Z']]);
    expect(w.entries().map((e) => e.id).sort()).toEqual(slots.map((e) => e.id).sort());
  });

  it('names the clashing interval, not whose it is', async () => {
    const owner = provider();
    const first = entry('2026-03-12T10:00:00Z', 60);
    await book(owner, first);
    const err = await book(owner, entry('2026-03-12T10:30:00Z', 30)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalendarConflictError);
    expect((err as CalendarConflictError).details).toEqual([{ path: 'interval', message: `${first.start}/${first.end}` }]);
    expect(JSON.stringify((err as CalendarConflictError).details)).not.toContain(first.id);
  });

  it('moves a booking in one step and lets exactly one of a reschedule and a booking for the same time win', async () => {
    const owner = provider();
    const original = entry('2026-03-13T09:00:00Z', 60);
    await book(owner, original);
    for (let round = 0; round < 5; round++) {
      const target = `2026-03-${20 + round}T14:00:00Z`;
      const moved = { ...entry(target, 60), id: original.id };
      const rival = entry(target, 30);
      const current = (await calendars.window(orgId, owner, [['2026-03-13T00:00:00Z', '2026-03-25T00:00:00Z']])).entries().find((e) => e.id === original.id)!;
      const [a, b] = await Promise.allSettled([book(owner, moved, [current]), book(owner, rival)]);
      expect([a.status, b.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      const w = await calendars.window(orgId, owner, [['2026-03-13T00:00:00Z', '2026-03-25T00:00:00Z']]);
      const ids = w.entries().map((e) => e.id);
      // The original is booked exactly once: at its old time if the reschedule lost, at the new one if it won.
      expect(ids.filter((id) => id === original.id)).toHaveLength(1);
      if (a.status === 'fulfilled') expect(w.entries().find((e) => e.id === original.id)!.start).toBe(moved.start);
    }
  });

  it('holds a 72-hour booking in one transaction and refuses anything inside it', async () => {
    const owner: CalendarOwner = { kind: 'user', id: `aide-${randomUUID()}` };
    const long = entry('2026-04-01T06:00:00Z', 72 * 60, 'respite');
    await calendars.book(ctx, [{ owner, add: [long], margin: 24 * 60 }], () => ({}), () => long.id);
    await expect(book(owner, entry('2026-04-03T12:00:00Z', 60, 'visit'))).rejects.toBeInstanceOf(CalendarConflictError);
    await expect(book(owner, entry('2026-04-04T06:00:00Z', 60, 'visit'))).resolves.toBeTypeOf('string');
    const w = await calendars.window(orgId, owner, [['2026-04-01T00:00:00Z', '2026-04-05T00:00:00Z']]);
    expect(w.entries().map((e) => e.kind).sort()).toEqual(['respite', 'visit']);
  });

  it("commits the caller's own parts with the guards, and reports their failure by name, booking nothing", async () => {
    const owner = provider();
    const e = entry('2026-03-15T10:00:00Z', 60);
    const db = new Db(table.client, table.tableName);
    const err = await calendars
      .book(ctx, [{ owner, add: [e] }], () => ({ patientExists: db.conditionCheck({ Key: { PK: `ORG#${orgId}#PAT#nobody`, SK: 'PROFILE' }, ConditionExpression: 'attribute_exists(PK)' }) }), () => e.id)
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TransactionCancelledError);
    expect((err as TransactionCancelledError).failed('patientExists')).toBe(true);
    const w = await calendars.window(orgId, owner, [['2026-03-15T00:00:00Z', '2026-03-16T00:00:00Z']]);
    expect(w.entries()).toEqual([]);
  });

  it('frees time at once when an entry is removed', async () => {
    const owner = provider();
    const first = entry('2026-03-14T10:00:00Z', 60);
    await book(owner, first);
    await calendars.book(ctx, [{ owner, remove: [first] }], () => ({}), () => undefined);
    await expect(book(owner, entry('2026-03-14T10:00:00Z', 60))).resolves.toBeTypeOf('string');
  });
});
