/**
 * The pure parts of home health: distance and travel, the aide calendar's travel gap, geofence
 * decisions, EVV completeness and maintenance, CSV escaping, availability, where an aide will be
 * before a visit, the ranking of suggestions, and a day's route.
 */
import { describe, expect, it } from 'vitest';
import { aideBooking, aideEntry, AIDE_BOOKING_MARGIN_MINUTES, travelGap } from '../../../../lambdas/shared/visits/aide-calendar.js';
import { csvField, evvCsv, evvRecord, geofenceDecision, maintain, missingElements, recordCheck, withOffset, type EvvSource } from '../../../../lambdas/shared/visits/evv.js';
import { distanceKm, travelMinutes } from '../../../../lambdas/shared/visits/geo.js';
import { lateCheckAt, missedCheckAt, placeBefore, rankSuggestions, routeLegs, switchedOn, withinWeeklyAvailability } from '../../../../lambdas/home-health/rules.js';
import { findClash } from '../../../../lambdas/shared/calendar/calendar.js';

describe('distance', () => {
  it('matches the reference pair (Turf: ~97.15 km) within 0.1 %', () => {
    const d = distanceKm({ lng: -75.343, lat: 39.984 }, { lng: -75.534, lat: 39.123 });
    expect(Math.abs(d - 97.15) / 97.15).toBeLessThan(0.001);
  });

  it('is symmetric and zero for one place', () => {
    const a = { lat: 51.5, lng: -0.12 };
    const b = { lat: 48.85, lng: 2.35 };
    expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 9);
    expect(distanceKm(a, a)).toBe(0);
  });

  it('times travel as straight line x 1.2 at the speed', () => {
    const a = { lat: 0, lng: 0 };
    const b = { lat: 0, lng: 0.1 }; // ~11.12 km
    expect(travelMinutes(a, b, 30)).toBeCloseTo(((distanceKm(a, b) * 1.2) / 30) * 60, 9);
    expect(travelMinutes(a, b, 60)).toBeCloseTo(travelMinutes(a, b, 30) / 2, 9);
  });
});

describe('the aide calendar', () => {
  const here = { lat: 40.0, lng: -75.0 };
  const there = { lat: 40.0, lng: -74.8 }; // ~17 km: ~41 minutes at 30 km/h
  const first = aideEntry('visit', 'v1', '2030-01-07T09:00:00.000Z', '2030-01-07T10:00:00.000Z', 'p1', here);

  it('needs the travel time between two places', () => {
    const gap = travelGap(30);
    const later = aideEntry('visit', 'v2', '2030-01-07T10:20:00.000Z', '2030-01-07T11:00:00.000Z', 'p2', there);
    expect(gap(first, later)).toBeGreaterThan(40);
    expect(findClash([first], later, gap)?.id).toBe('v1'); // 20 minutes do not cover ~41
    const fits = { ...later, start: '2030-01-07T10:45:00.000Z' };
    expect(findClash([first], fits, gap)).toBeUndefined();
    // Before the first booking too: travel from the candidate's place to the first one's.
    const before = aideEntry('visit', 'v0', '2030-01-07T08:00:00.000Z', '2030-01-07T08:40:00.000Z', 'p3', there);
    expect(findClash([first], before, gap)?.id).toBe('v1');
  });

  it('needs no gap where a booking has no place', () => {
    const noPlace = aideEntry('respite', 'r1', '2030-01-07T10:00:00.000Z', '2030-01-07T12:00:00.000Z', 'p2');
    expect(travelGap(30)(first, noPlace)).toBe(0);
    expect(findClash([first], noPlace, travelGap(30))).toBeUndefined();
  });

  it('reads a margin around the booking for neighbours', () => {
    const change = aideBooking('aide-1', { add: [first] }, 30);
    expect(change.owner).toEqual({ kind: 'user', id: 'aide-1' });
    expect(change.margin).toBe(AIDE_BOOKING_MARGIN_MINUTES);
    expect(AIDE_BOOKING_MARGIN_MINUTES).toBeGreaterThanOrEqual(12 * 60);
  });
});

describe('geofence', () => {
  const site = { lat: 40.0, lng: -75.0, geofenceMeters: 150 };
  it('is inside within the radius, outside beyond it', () => {
    expect(geofenceDecision(site, { lat: 40.0009, lng: -75.0 }).withinGeofence).toBe(true); // ~100 m
    const far = geofenceDecision(site, { lat: 40.0018, lng: -75.0 }); // ~200 m
    expect(far.withinGeofence).toBe(false);
    expect(far.distanceMeters).toBeGreaterThan(190);
    expect(far.distanceMeters).toBeLessThan(210);
  });

  it('gives the fix its stated accuracy', () => {
    expect(geofenceDecision(site, { lat: 40.0018, lng: -75.0, accuracyMeters: 60 }).withinGeofence).toBe(true);
    expect(geofenceDecision(site, { lat: 40.0018, lng: -75.0, accuracyMeters: 30 }).withinGeofence).toBe(false);
  });

  it('records a check outside the geofence with an exception, never refusing it', () => {
    const out = recordCheck({ on: 'check-in', site, fix: { lat: 40.01, lng: -75.0 }, at: '2030-01-07T09:01:00.000Z', recordedAt: '2030-01-07T09:01:05.000Z' });
    expect(out.check.withinGeofence).toBe(false);
    expect(out.exception).toEqual({ code: 'out_of_geofence', on: 'check-in', at: '2030-01-07T09:01:00.000Z' });
    const withReason = recordCheck({ on: 'check-out', site, fix: { lat: 40.01, lng: -75.0 }, at: '2030-01-07T10:00:00.000Z', recordedAt: '2030-01-07T10:00:00.000Z', reasonCode: 'service_in_community' });
    expect(withReason.exception?.reasonCode).toBe('service_in_community');
    expect(recordCheck({ on: 'check-in', site, fix: { lat: 40, lng: -75 }, at: 'x', recordedAt: 'x' }).exception).toBeUndefined();
  });
});

describe('EVV records', () => {
  const source: EvvSource = {
    visitId: 'v1', serviceType: 'personal_care', patientId: 'p1', patientName: 'Margaret', timezone: 'America/New_York',
    scheduledStart: '2030-01-07T14:00:00.000Z', location: { lat: 40, lng: -75, address: '1 Main St' }, aideId: 'a1', aideName: 'Ana',
    begin: '2030-01-07T14:02:00.000Z', end: '2030-01-07T15:00:00.000Z', exceptions: [], changes: [], status: 'completed', version: 3,
  };

  it('has the six elements, dated by the local day', () => {
    const late = evvRecord({ ...source, begin: '2030-01-08T03:30:00.000Z', end: '2030-01-08T04:00:00.000Z' }); // 22:30 local on the 7th
    expect(late.date).toBe('2030-01-07');
    expect(missingElements(evvRecord(source))).toEqual([]);
  });

  it('lists what is missing instead of exporting it as complete', () => {
    expect(missingElements(evvRecord({ ...source, end: null }))).toEqual(['end']);
    expect(missingElements(evvRecord({ ...source, aideId: null, begin: null, end: null }))).toEqual(['provider', 'begin', 'end']);
    expect(missingElements(evvRecord({ ...source, end: '2030-01-08T15:00:00.000Z' }))).toEqual(['duration']); // over 24 h
    const exception = { code: 'out_of_geofence', on: 'check-in' as const, at: source.begin! };
    expect(missingElements(evvRecord({ ...source, exceptions: [exception] }))).toEqual(['reasonCode']);
    expect(missingElements(evvRecord({ ...source, exceptions: [{ ...exception, reasonCode: 'other' }] }))).toEqual([]);
  });

  it('appends maintenance changes, never rewriting them, and settles open exceptions', () => {
    const exception = { code: 'out_of_geofence', on: 'check-in' as const, at: source.begin! };
    const first = maintain({ ...source, exceptions: [exception] }, { end: '2030-01-07T15:10:00Z', reasonCode: 'other', note: 'forgot' }, 'coord', '2030-01-08T09:00:00.000Z')!;
    expect(first.end).toBe('2030-01-07T15:10:00.000Z');
    expect(first.changes).toEqual([
      { field: 'end', old: '2030-01-07T15:00:00.000Z', new: '2030-01-07T15:10:00.000Z', by: 'coord', at: '2030-01-08T09:00:00.000Z', reasonCode: 'other', note: 'forgot' },
      { field: 'reasonCode', old: null, new: 'other', by: 'coord', at: '2030-01-08T09:00:00.000Z', reasonCode: 'other', note: 'forgot' },
    ]);
    expect(first.exceptions[0]!.reasonCode).toBe('other');
    const second = maintain(first, { begin: '2030-01-07T14:00:00Z', reasonCode: 'gps_unavailable' }, 'admin', '2030-01-09T09:00:00.000Z')!;
    expect(second.changes.slice(0, 2)).toEqual(first.changes);
    expect(second.changes).toHaveLength(3);
    expect(maintain(second, { begin: '2030-01-07T14:00:00Z', reasonCode: 'other' }, 'admin', 'x')).toBeUndefined();
  });

  it('writes CSV with a header, escaping commas, quotes and newlines, times with the zone offset', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    const csv = evvCsv([evvRecord({ ...source, location: { ...source.location, address: '1 Main St, Apt "B"\nRear' } })]);
    const [header, ...rest] = csv.split('\r\n');
    expect(header).toBe('visit_id,service_type,recipient_id,date,timezone,latitude,longitude,address,aide_id,begin,end,exception_codes,reason_codes');
    expect(rest.join('\r\n')).toBe('v1,personal_care,p1,2030-01-07,America/New_York,40,-75,"1 Main St, Apt ""B""\nRear",a1,2030-01-07T09:02:00-05:00,2030-01-07T10:00:00-05:00,,\r\n');
    expect(withOffset('2030-07-07T14:00:00.000Z', 'America/New_York')).toBe('2030-07-07T10:00:00-04:00');
    expect(withOffset('2030-07-07T14:00:00.000Z', 'Asia/Kolkata')).toBe('2030-07-07T19:30:00+05:30');
  });
});

describe('availability', () => {
  const weekly = { MON: [['08:00', '16:00']] as Array<[string, string]>, TUE: [['08:00', '12:00'], ['13:00', '24:00']] as Array<[string, string]> };
  it("holds a visit inside one window of the aide's local day", () => {
    // 2030-01-07 is a Monday; New York is UTC-5 in January.
    expect(withinWeeklyAvailability(weekly, 'America/New_York', '2030-01-07T13:00:00Z', '2030-01-07T14:00:00Z')).toBe(true); // 08-09
    expect(withinWeeklyAvailability(weekly, 'America/New_York', '2030-01-07T12:30:00Z', '2030-01-07T14:00:00Z')).toBe(false); // 07:30
    expect(withinWeeklyAvailability(weekly, 'America/New_York', '2030-01-07T20:30:00Z', '2030-01-07T21:30:00Z')).toBe(false); // past 16:00
    expect(withinWeeklyAvailability(weekly, 'UTC', '2030-01-08T11:30:00Z', '2030-01-08T12:30:00Z')).toBe(false); // across the lunch gap
    expect(withinWeeklyAvailability(weekly, 'UTC', '2030-01-08T23:00:00Z', '2030-01-09T00:00:00Z')).toBe(true); // up to 24:00
    expect(withinWeeklyAvailability(weekly, 'UTC', '2030-01-09T09:00:00Z', '2030-01-09T10:00:00Z')).toBe(false); // no Wednesday
  });

  it('follows the switch', () => {
    expect(switchedOn({ status: 'available' }, '2030-01-07T09:00:00Z', '2030-01-07T10:00:00Z')).toBe(true);
    expect(switchedOn({ status: 'unavailable' }, '2030-01-07T09:00:00Z', '2030-01-07T10:00:00Z')).toBe(false);
    expect(switchedOn({ status: 'unavailable', until: '2030-01-07T08:00:00Z' }, '2030-01-07T09:00:00Z', '2030-01-07T10:00:00Z')).toBe(true);
    expect(switchedOn({ status: 'unavailable', until: '2030-01-07T09:30:00Z' }, '2030-01-07T09:00:00Z', '2030-01-07T10:00:00Z')).toBe(false);
  });
});

describe('suggestions', () => {
  const home = { lat: 40.0, lng: -75.0 };
  const visit = { id: 'new', start: '2030-01-07T15:00:00.000Z' };
  it('measures from the previous booking of that day, else from home base', () => {
    const earlier = aideEntry('visit', 'v1', '2030-01-07T12:00:00.000Z', '2030-01-07T13:00:00.000Z', 'p1', { lat: 40.2, lng: -75.0 });
    const later = aideEntry('visit', 'v2', '2030-01-07T17:00:00.000Z', '2030-01-07T18:00:00.000Z', 'p2', { lat: 41, lng: -75.0 });
    expect(placeBefore([earlier, later], visit, 'UTC', home)).toEqual({ place: earlier.place, from: 'previous_booking' });
    expect(placeBefore([later], visit, 'UTC', home)).toEqual({ place: home, from: 'home_base' });
    // The day before (local) does not count.
    const yesterday = aideEntry('visit', 'v0', '2030-01-06T20:00:00.000Z', '2030-01-06T21:00:00.000Z', 'p1', { lat: 40.2, lng: -75.0 });
    expect(placeBefore([yesterday], visit, 'UTC', home).from).toBe('home_base');
  });

  it('ranks nearest first, ties by user id', () => {
    const ranked = rankSuggestions([
      { aideId: 'c', distanceKm: 5 },
      { aideId: 'b', distanceKm: 2 },
      { aideId: 'a', distanceKm: 5 },
    ]);
    expect(ranked.map((r) => r.aideId)).toEqual(['b', 'a', 'c']);
  });

  it('ranks an aide nearby after an earlier visit above one whose home is nearer the office', () => {
    const target = { lat: 40.3, lng: -75.0 };
    const fromPrevious = placeBefore([aideEntry('visit', 'v1', '2030-01-07T12:00:00.000Z', '2030-01-07T13:00:00.000Z', 'p', { lat: 40.29, lng: -75.0 })], visit, 'UTC', { lat: 39.5, lng: -75 });
    const fromHome = placeBefore([], visit, 'UTC', { lat: 40.2, lng: -75 });
    const ranked = rankSuggestions([
      { aideId: 'home-aide', distanceKm: distanceKm(fromHome.place, target) },
      { aideId: 'busy-aide', distanceKm: distanceKm(fromPrevious.place, target) },
    ]);
    expect(ranked[0]!.aideId).toBe('busy-aide');
  });
});

describe('the day route', () => {
  const home = { lat: 40.0, lng: -75.0 };
  const a = aideEntry('visit', 'a', '2030-01-07T09:00:00.000Z', '2030-01-07T10:00:00.000Z', 'p1', { lat: 40.1, lng: -75.0 });
  const b = aideEntry('respite', 'b', '2030-01-07T10:05:00.000Z', '2030-01-07T11:00:00.000Z', 'p2', { lat: 40.3, lng: -75.0 });
  const c = aideEntry('visit', 'c', '2030-01-07T13:00:00.000Z', '2030-01-07T14:00:00.000Z', 'p3', { lat: 40.3, lng: -75.0 });

  it('gives each leg from the previous stop (the first from home) and flags tight ones', () => {
    const { stops, totals } = routeLegs([c, b, a], home, 30);
    expect(stops.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(stops[0]!.distanceKm).toBeCloseTo(distanceKm(home, a.place!), 1);
    expect(stops[0]!.tight).toBe(false);
    expect(stops[1]!.distanceKm).toBeCloseTo(distanceKm(a.place!, b.place!), 1); // ~22 km, ~53 min > 5 min
    expect(stops[1]!.tight).toBe(true);
    expect(stops[2]!.distanceKm).toBe(0);
    expect(stops[2]!.tight).toBe(false);
    const home3 = distanceKm(c.place!, home);
    expect(totals.homeDistanceKm).toBeCloseTo(home3, 1);
    expect(totals.distanceKm).toBeCloseTo(distanceKm(home, a.place!) + distanceKm(a.place!, b.place!) + home3, 1);
    expect(totals.stops).toBe(3);
  });

  it('is empty on a free day', () => {
    expect(routeLegs([], home, 30)).toEqual({ stops: [], totals: { stops: 0, distanceKm: 0, travelMinutes: 0, homeDistanceKm: 0 } });
  });
});

describe('check times', () => {
  it('fires late 15 minutes after the start and missed at the end, on whole minutes', () => {
    expect(lateCheckAt('2030-01-07T09:00:00.000Z')).toBe('2030-01-07T09:15:00.000Z');
    expect(lateCheckAt('2030-01-07T09:00:30.000Z')).toBe('2030-01-07T09:16:00.000Z');
    expect(missedCheckAt('2030-01-07T10:00:00.000Z')).toBe('2030-01-07T10:00:00.000Z');
  });
});
