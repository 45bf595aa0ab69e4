import { localDate, localParts, zonedToUtc, addDays } from '../shared/scheduling/zoned-time.js';

export interface QuietHoursRule {
  /** `HH:MM` local, inclusive. */
  start: string;
  /** `HH:MM` local, exclusive; before `start` means the next day (22:00 -> 07:00). */
  end: string;
  timezone: string;
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};

/**
 * When the quiet hours that hold `now` end, as an instant; undefined when `now` is not in quiet
 * hours. Read on the zone's wall clock, so daylight-saving changes move nothing: 22:00 -> 07:00
 * stays 22:00 -> 07:00 local (nine hours, or eight or ten on a switch night). An end that does not
 * exist on a spring-forward day (02:30 in New York) ends quiet hours when the clocks jump past it.
 */
export function quietHoursEnd(now: Date, rule: QuietHoursRule): Date | undefined {
  const start = minutes(rule.start);
  const end = minutes(rule.end);
  if (start === end) return undefined;
  const p = localParts(now, rule.timezone);
  const m = p.hour * 60 + p.minute;
  const today = localDate(now, rule.timezone);
  const crossesMidnight = start > end;
  const quiet = crossesMidnight ? m >= start || m < end : m >= start && m < end;
  if (!quiet) return undefined;
  // Before midnight in a 22:00 -> 07:00 window, the end is tomorrow; otherwise today.
  const endDate = crossesMidnight && m >= start ? addDays(today, 1) : today;
  return firstInstantAtOrAfter(endDate, end, rule.timezone);
}

/** The instant the zone's clocks first show `date` at `minuteOfDay` or later (skipped times roll forward). */
function firstInstantAtOrAfter(date: string, minuteOfDay: number, timezone: string): Date {
  for (let m = minuteOfDay; m < minuteOfDay + 180; m++) {
    const day = m >= 1440 ? addDays(date, 1) : date;
    const mm = m % 1440;
    const at = zonedToUtc(day, `${pad(Math.floor(mm / 60))}:${pad(mm % 60)}`, timezone);
    if (at) return at;
  }
  throw new Error(`No local time ${date} ${minuteOfDay} in ${timezone}`);
}

const pad = (n: number) => String(n).padStart(2, '0');
