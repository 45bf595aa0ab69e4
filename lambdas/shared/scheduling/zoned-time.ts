/**
 * Wall-clock time in IANA zones, with EventBridge Scheduler's daylight-saving semantics: a local
 * time that does not exist on a spring-forward day does not occur, and one that occurs twice on a
 * fall-back day occurs once (the first time). Only `Intl`, no time-zone database of our own.
 */
import { DAYS_OF_WEEK, type DayOfWeek } from './scheduler.js';

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local date and time of an instant in a zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: +parts.year!, month: +parts.month!, day: +parts.day!, hour: +parts.hour!, minute: +parts.minute! };
}

/** `YYYY-MM-DD` of an instant in a zone (the patient's "local day"). */
export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/**
 * The instant at which a zone's clocks show `date` `time` (`YYYY-MM-DD`, `HH:MM`): undefined when
 * that local time is skipped (spring forward); the earlier instant when it happens twice (fall back).
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date | undefined {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const matches = [...offsetsAround(y, mo, d, timeZone)]
    .map((off) => asUtc - off * 60_000)
    .filter((t) => {
      const p = localParts(new Date(t), timeZone);
      return p.year === y && p.month === mo && p.day === d && p.hour === h && p.minute === mi;
    })
    .sort((a, b) => a - b);
  return matches.length ? new Date(matches[0]!) : undefined;
}

/**
 * The offsets a zone has in force within two days of a date's UTC noon: every offset a local time
 * of that date can have (each candidate is then checked exactly). Sampled once per zone and date,
 * not per local time: a day of slots asks for the same date many times.
 */
function offsetsAround(y: number, mo: number, d: number, timeZone: string): ReadonlySet<number> {
  const key = `${timeZone}|${y}-${mo}-${d}`;
  let offsets = offsetCache.get(key);
  if (!offsets) {
    const noon = Date.UTC(y, mo - 1, d, 12);
    offsets = new Set([-48, -36, -24, -12, 0, 12, 24, 36, 48].map((hours) => offsetMinutes(new Date(noon + hours * 3_600_000), timeZone)));
    if (offsetCache.size >= 1024) offsetCache.clear();
    offsetCache.set(key, offsets);
  }
  return offsets;
}
const offsetCache = new Map<string, ReadonlySet<number>>();

/** The zone's offset from UTC at an instant, in minutes (New York in winter: -300). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function dayOfWeek(date: string): DayOfWeek {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return DAYS_OF_WEEK[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
}

export interface SlotRule {
  /** `HH:MM` local times. */
  times: readonly string[];
  daysOfWeek?: readonly DayOfWeek[] | undefined;
  timezone: string;
  startDate: string;
  endDate?: string | undefined;
}

/**
 * Every instant in (`after`, `until`] at which the rule fires, oldest first, with the local time
 * that produced it. This is the cron of EventBridge Scheduler with `ScheduleExpressionTimezone`,
 * StartDate (local midnight of `startDate`) and EndDate (end of `endDate`).
 */
export function expandSlots(rule: SlotRule, after: Date, until: Date): Array<{ at: Date; time: string; date: string }> {
  const out: Array<{ at: Date; time: string; date: string }> = [];
  if (until <= after) return out;
  let date = addDays(localDate(after, rule.timezone), -1);
  const last = addDays(localDate(until, rule.timezone), 1);
  for (; date <= last; date = addDays(date, 1)) {
    if (date < rule.startDate || (rule.endDate && date > rule.endDate)) continue;
    if (rule.daysOfWeek?.length && !rule.daysOfWeek.includes(dayOfWeek(date))) continue;
    for (const time of rule.times) {
      const at = zonedToUtc(date, time, rule.timezone);
      if (at && at > after && at <= until) out.push({ at, time, date });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Local midnight starting `date` (or the first instant of that day, if midnight is skipped). */
export function startOfLocalDay(date: string, timeZone: string): Date {
  for (const time of ['00:00', '00:30', '01:00']) {
    const at = zonedToUtc(date, time, timeZone);
    if (at) return at;
  }
  throw new Error(`No start of day ${date} in ${timeZone}`);
}

const pad = (n: number) => String(n).padStart(2, '0');
