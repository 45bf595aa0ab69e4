import type { Db, Item, TransactItem, TransactParts } from '../data/db.js';
import { TransactionCancelledError } from '../data/transaction-failures.js';
import { actorAttributes, type WriteContext } from '../data/write-context.js';
import { ConflictError } from '../errors.js';
import { findClash, shiftIso, utcDaysOf, type CalendarEntry, type CalendarOwner, type GapRule } from './calendar.js';

/**
 * Key format of calendar days: one item per owner and UTC day, all of an owner's days in one
 * partition so a window is one Query (docs/data-model.md, "Calendar").
 */
export const CalendarKeys = {
  partition: (orgId: string, owner: CalendarOwner) => `ORG#${orgId}#CAL#${owner.kind === 'user' ? 'USER' : 'PAT'}#${owner.id}`,
  day: (orgId: string, owner: CalendarOwner, date: string) => ({ PK: CalendarKeys.partition(orgId, owner), SK: `DAY#${date}` }),
};

interface Day {
  date: string;
  /** Absent: no item for that day yet. */
  version?: number;
  entries: CalendarEntry[];
}

/**
 * What a booking read of one calendar: every day item in a window, with its version. The
 * transaction that books (or frees) time carries a guard for each of these days: days it changes are
 * written on condition of the version read, the other days it looked at are condition-checked, so a
 * decision made on what was read holds at commit or the whole transaction fails and is retried
 * (`Calendars.book`). One guard per day, whatever the booking's length: a 72-hour session with a
 * day's margin on each side is six items, far below DynamoDB's 100 per transaction.
 */
export class CalendarWindow {
  private readonly days = new Map<string, Day>();

  constructor(
    readonly orgId: string,
    readonly owner: CalendarOwner,
    /** The UTC days read, in order. */
    readonly dates: readonly string[],
    stored: readonly Item[],
  ) {
    for (const date of dates) this.days.set(date, { date, entries: [] });
    for (const item of stored) {
      const date = String(item.date);
      this.days.set(date, { date, version: Number(item.version), entries: (item.entries as CalendarEntry[] | undefined) ?? [] });
    }
  }

  /** Every entry in the window, once (an entry spanning days is stored on each), soonest first. */
  entries(): CalendarEntry[] {
    const byId = new Map<string, CalendarEntry>();
    for (const day of this.days.values()) for (const e of day.entries) byId.set(e.id, e);
    return [...byId.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  }

  /** The entry the candidate would clash with (see `findClash`). */
  clash(candidate: CalendarEntry, gap?: GapRule, ignore?: ReadonlySet<string>): CalendarEntry | undefined {
    return findClash(this.entries(), candidate, gap, ignore);
  }

  /**
   * Transaction items that add `add` and remove the entries with ids in `remove`, guarded by the
   * version of every day read. The added entries' days must lie inside the window.
   */
  writes(db: Db, ctx: WriteContext, change: { add?: readonly CalendarEntry[]; remove?: readonly string[] }): TransactItem[] {
    const remove = new Set(change.remove ?? []);
    const next = new Map<string, CalendarEntry[]>();
    for (const day of this.days.values()) {
      if (day.entries.some((e) => remove.has(e.id))) next.set(day.date, day.entries.filter((e) => !remove.has(e.id)));
    }
    for (const entry of change.add ?? []) {
      for (const date of utcDaysOf(entry.start, entry.end)) {
        const day = this.days.get(date);
        if (!day) throw new Error(`Calendar entry ${entry.id} reaches ${date}, outside the days read`);
        next.set(date, [...(next.get(date) ?? day.entries.filter((e) => !remove.has(e.id))), entry]);
      }
    }
    return [...this.days.values()].map((day) => {
      const key = CalendarKeys.day(this.orgId, this.owner, day.date);
      const guard =
        day.version === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': day.version } };
      const entries = next.get(day.date);
      if (!entries) return db.conditionCheck({ Key: key, ...guard });
      return db.put(
        {
          ...key,
          entityType: 'CalendarDay',
          orgId: this.orgId,
          id: `${this.owner.id}:${day.date}`,
          ownerKind: this.owner.kind,
          ownerId: this.owner.id,
          date: day.date,
          entries: [...entries].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id)),
          version: (day.version ?? 0) + 1,
          createdAt: ctx.now,
          ...actorAttributes(ctx),
        },
        guard,
      );
    });
  }
}

/** A booking's clash, as the API reports it: the interval, never whose it is (API.md). */
export class CalendarConflictError extends ConflictError {
  constructor(clash: Pick<CalendarEntry, 'start' | 'end'>) {
    super('The time overlaps a booking', [{ path: 'interval', message: `${clash.start}/${clash.end}` }]);
  }
}

/** The transaction part that holds the calendar days' guards. */
const CALENDAR_PART = 'calendarDays';

/** One calendar's part in a booking: what to read, what to add or free, and the gap it requires. */
export interface CalendarChange {
  owner: CalendarOwner;
  add?: readonly CalendarEntry[];
  /** Ids of entries to free, with the interval they had (to know which days to read). */
  remove?: ReadonlyArray<Pick<CalendarEntry, 'id' | 'start' | 'end'>>;
  /** Minutes a booking next to another needs (buffer, travel). @default no gap */
  gap?: GapRule;
  /**
   * How far around the new entries to look for neighbours the gap could reach, in minutes.
   * @default 0
   */
  margin?: number;
}

/**
 * Booking time on calendars. `book` reads each calendar's days around the change, refuses a clash
 * (409 naming the interval), and commits the calendar guards together with the caller's own items
 * (`items(windows)`: the appointment, the visit, counters, ...) in one transaction. When another
 * booking changed one of those days in between, the transaction fails on that day's version and
 * the whole decision is made again on fresh reads, so of N overlapping bookings racing for one
 * calendar exactly one wins and the others see it and get 409.
 */
export class Calendars {
  constructor(private readonly db: Db) {}

  /**
   * The owner's days touched by any of `ranges` ([from, to), ISO instants): one Query per run of
   * consecutive days, so reading a window costs what its days hold, never the owner's history.
   */
  async window(orgId: string, owner: CalendarOwner, ranges: ReadonlyArray<readonly [string, string]>): Promise<CalendarWindow> {
    const dates = [...new Set(ranges.flatMap(([from, to]) => utcDaysOf(new Date(from).toISOString(), new Date(to).toISOString())))].sort();
    const runs: Array<[string, string]> = [];
    for (const date of dates) {
      const last = runs.at(-1);
      if (last && shiftIso(`${last[1]}T00:00:00.000Z`, 24 * 60).slice(0, 10) === date) last[1] = date;
      else runs.push([date, date]);
    }
    const items = (
      await Promise.all(
        runs.map(([first, last]) =>
          this.db.queryAll<Item>({
            KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': CalendarKeys.partition(orgId, owner), ':from': `DAY#${first}`, ':to': `DAY#${last}` },
            ConsistentRead: true,
          }),
        ),
      )
    ).flat();
    return new CalendarWindow(orgId, owner, dates, items);
  }

  /**
   * Books (and frees) time on one or more calendars (one change per owner) in one transaction with
   * the caller's own named parts (`parts(windows)`: the appointment, the care-team link, ...).
   * Throws `CalendarConflictError` on a clash; a cancellation caused by the calendar days is decided
   * again on fresh reads; one caused by the caller's own parts is thrown as the
   * `TransactionCancelledError` (read it by part name: `err.failed('appointment')`). Anything
   * `parts` throws (a rule the fresh read breaks) propagates.
   */
  async book<T>(
    ctx: WriteContext,
    changes: readonly CalendarChange[],
    parts: (windows: CalendarWindow[]) => TransactParts | Promise<TransactParts>,
    result: () => T,
    attempts = 25,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const windows = await Promise.all(changes.map((c) => this.read(ctx.orgId, c)));
      changes.forEach((c, i) => {
        const ignore = new Set((c.remove ?? []).map((r) => r.id));
        for (const entry of c.add ?? []) {
          const clash = windows[i]!.clash(entry, c.gap, ignore);
          if (clash) throw new CalendarConflictError(clash);
        }
      });
      const guards = changes.flatMap((c, i) => windows[i]!.writes(this.db, ctx, { add: c.add ?? [], remove: (c.remove ?? []).map((r) => r.id) }));
      const own = await parts(windows);
      if (CALENDAR_PART in own) throw new Error(`"${CALENDAR_PART}" is the calendar's own part name`);
      try {
        await this.db.transact({ [CALENDAR_PART]: guards, ...own });
        return result();
      } catch (err) {
        // A day's guard failed: someone booked or freed time there since the read. Decide again.
        const calendarMoved = err instanceof TransactionCancelledError && err.failed(CALENDAR_PART);
        if (!calendarMoved) throw err;
        if (attempt >= attempts) throw new ConflictError('The calendar is busy; try again');
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  private read(orgId: string, c: CalendarChange): Promise<CalendarWindow> {
    const spans = [...(c.add ?? []), ...(c.remove ?? [])];
    if (spans.length === 0) throw new Error('A calendar change adds or removes something');
    const margin = c.margin ?? 0;
    return this.window(orgId, c.owner, spans.map((s) => [shiftIso(s.start, -margin), shiftIso(s.end, margin)] as const));
  }
}
