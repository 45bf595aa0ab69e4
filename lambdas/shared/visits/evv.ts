/**
 * Electronic visit verification (21st Century Cures Act s. 12006), as pure functions that the
 * home-health and respite domains share: "the same code, not a copy". No storage, no clock.
 *
 * - `geofenceDecision`: is a GPS fix at the place of service (distance <= geofence + accuracy)?
 * - `recordCheck`: a check-in or check-out as recorded, never refused: outside the geofence it
 *   carries the exception `out_of_geofence` (with the reason code given, if any);
 *   `recordUnplacedCheck`: the same at a place without coordinates (always outside).
 * - `maintain`: visit maintenance by staff, appending `{ field, old, new, by, at, reasonCode, note }`
 *   to the changes and never rewriting them; a reason code also settles exceptions that lack one.
 * - `evvRecord` / `missingElements`: the six elements (service type, recipient, date, location,
 *   provider, begin/end) and what keeps a record from being exportable.
 * - `evvCsv`: the export file, RFC 4180 quoting, times with the record's zone offset.
 */
import type { EvvChange, EvvCheck, EvvException, EvvRecord, ReasonCode, VisitCheck, VisitStatus } from '../../../schemas/visits.js';
import { localDate, offsetMinutes } from '../scheduling/zoned-time.js';
import { distanceKm } from './geo.js';

export const OUT_OF_GEOFENCE = 'out_of_geofence';
/** Aggregators reject visits over 24 hours (FINDINGS.md). */
const MAX_EVV_VISIT_MS = 24 * 3_600_000;

export interface ServiceSite {
  lat: number;
  lng: number;
  geofenceMeters: number;
}

export interface GpsFix {
  lat: number;
  lng: number;
  accuracyMeters?: number | undefined;
}

/** Within the geofence when the fix is no farther than `geofenceMeters` + its stated accuracy. */
export function geofenceDecision(site: ServiceSite, fix: GpsFix): { distanceMeters: number; withinGeofence: boolean } {
  const distanceMeters = Math.round(distanceKm(site, fix) * 1000 * 10) / 10;
  return { distanceMeters, withinGeofence: distanceMeters <= site.geofenceMeters + (fix.accuracyMeters ?? 0) };
}

export type CheckKind = 'check-in' | 'check-out';

/** What a device reports of a check, with when it is recorded. */
export interface CheckInput {
  on: CheckKind;
  fix: GpsFix;
  /** When it happened (the device's `at`, else now). */
  at: string;
  recordedAt: string;
  reasonCode?: ReasonCode | undefined;
  note?: string | undefined;
}

/** A check as recorded, and the exception it raises (outside the geofence). */
export function recordCheck(input: CheckInput & { site: ServiceSite }): { check: VisitCheck; exception?: EvvException } {
  const { distanceMeters, withinGeofence } = geofenceDecision(input.site, input.fix);
  const check = { ...checkOf(input, withinGeofence), distanceMeters };
  return withinGeofence ? { check } : { check, exception: outOfGeofence(input) };
}

/**
 * A check at a place without coordinates (a respite session given only an address): it cannot be
 * verified, so it is kept with no distance and raises the same `out_of_geofence` exception, which a
 * reason code settles.
 */
export function recordUnplacedCheck(input: CheckInput): { check: EvvCheck; exception: EvvException } {
  return { check: { ...checkOf(input, false), distanceMeters: null }, exception: outOfGeofence(input) };
}

function checkOf(input: CheckInput, withinGeofence: boolean): Omit<EvvCheck, 'distanceMeters'> {
  return {
    at: input.at,
    recordedAt: input.recordedAt,
    location: { lat: input.fix.lat, lng: input.fix.lng, ...(input.fix.accuracyMeters !== undefined ? { accuracyMeters: input.fix.accuracyMeters } : {}) },
    withinGeofence,
    ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
}

const outOfGeofence = (input: CheckInput): EvvException => ({
  code: OUT_OF_GEOFENCE,
  on: input.on,
  at: input.at,
  ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
});

/** The EVV state of a visit (or respite session) that maintenance changes. */
export interface EvvState {
  begin: string | null;
  end: string | null;
  exceptions: EvvException[];
  changes: EvvChange[];
}

/**
 * Visit maintenance: new begin/end values and a reason code. Each changed field appends a change;
 * exceptions without a reason code get this one (recorded as a `reasonCode` change). Answers the
 * new state, or undefined when nothing would change.
 */
export function maintain(
  state: EvvState,
  edit: { begin?: string | undefined; end?: string | undefined; reasonCode: ReasonCode; note?: string | undefined },
  by: string,
  at: string,
): EvvState | undefined {
  const changes = [...state.changes];
  const note = edit.note ? { note: edit.note } : {};
  const next: EvvState = { ...state, changes };
  for (const field of ['begin', 'end'] as const) {
    const value = edit[field] === undefined ? undefined : new Date(edit[field]).toISOString();
    if (value === undefined || value === state[field]) continue;
    changes.push({ field, old: state[field], new: value, by, at, reasonCode: edit.reasonCode, ...note });
    next[field] = value;
  }
  if (state.exceptions.some((e) => !e.reasonCode)) {
    changes.push({ field: 'reasonCode', old: null, new: edit.reasonCode, by, at, reasonCode: edit.reasonCode, ...note });
    next.exceptions = state.exceptions.map((e) => (e.reasonCode ? e : { ...e, reasonCode: edit.reasonCode }));
  }
  return changes.length === state.changes.length ? undefined : next;
}

/** What the record is built from: a visit, or a respite session, in the same shape. */
export interface EvvSource extends EvvState {
  visitId: string;
  serviceType: string;
  patientId: string;
  patientName: string | null;
  timezone: string;
  scheduledStart: string;
  location: { lat: number; lng: number; address: string };
  aideId: string | null;
  aideName: string | null;
  status: VisitStatus;
  version: number;
}

/** The six elements with what happened. The date is the local date (the source's zone) of the begin, else of the plan. */
export function evvRecord(s: EvvSource): EvvRecord {
  return {
    visitId: s.visitId,
    serviceType: s.serviceType,
    recipient: { patientId: s.patientId, displayName: s.patientName },
    date: localDate(new Date(s.begin ?? s.scheduledStart), s.timezone),
    timezone: s.timezone,
    location: { lat: s.location.lat, lng: s.location.lng, address: s.location.address },
    provider: s.aideId ? { aideId: s.aideId, displayName: s.aideName } : null,
    begin: s.begin,
    end: s.end,
    status: s.status,
    exceptions: s.exceptions,
    changes: s.changes,
    version: s.version,
  };
}

/**
 * Why a record may not be exported (empty: exportable). Every element must be there, begin before
 * end and at most 24 hours apart, and every exception must carry a reason code.
 */
export function missingElements(r: EvvRecord): string[] {
  const missing: string[] = [];
  if (!r.serviceType) missing.push('serviceType');
  if (!r.recipient.patientId) missing.push('recipient');
  if (!r.date) missing.push('date');
  if (!Number.isFinite(r.location.lat) || !Number.isFinite(r.location.lng) || !r.location.address) missing.push('location');
  if (!r.provider) missing.push('provider');
  if (!r.begin) missing.push('begin');
  if (!r.end) missing.push('end');
  if (r.begin && r.end) {
    const length = Date.parse(r.end) - Date.parse(r.begin);
    if (length <= 0 || length > MAX_EVV_VISIT_MS) missing.push('duration');
  }
  if (r.exceptions.some((e) => !e.reasonCode)) missing.push('reasonCode');
  return missing;
}

/** `2026-01-10T08:00:00-05:00`: the instant as the zone's clocks show it, with its offset. */
export function withOffset(iso: string, timeZone: string): string {
  const instant = new Date(iso);
  const off = offsetMinutes(instant, timeZone);
  const local = new Date(Math.floor(instant.getTime() / 1000) * 1000 + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const EVV_CSV_HEADER = [
  'visit_id', 'service_type', 'recipient_id', 'date', 'timezone', 'latitude', 'longitude', 'address', 'aide_id', 'begin', 'end',
  'exception_codes', 'reason_codes',
] as const;

/** The export file: a header row and one row per record (callers pass exportable records only). */
export function evvCsv(records: readonly EvvRecord[]): string {
  const rows = records.map((r) => [
    r.visitId,
    r.serviceType,
    r.recipient.patientId,
    r.date,
    r.timezone,
    r.location.lat,
    r.location.lng,
    r.location.address,
    r.provider?.aideId ?? '',
    r.begin ? withOffset(r.begin, r.timezone) : '',
    r.end ? withOffset(r.end, r.timezone) : '',
    r.exceptions.map((e) => e.code).join(';'),
    r.exceptions.map((e) => e.reasonCode ?? '').join(';'),
  ]);
  return [EVV_CSV_HEADER as readonly (string | number)[], ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
