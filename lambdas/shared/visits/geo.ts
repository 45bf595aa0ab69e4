/**
 * Distances on the earth for home visits: straight-line (great-circle) distance and the travel
 * time the calendar allows for it (API.md: straight-line distance x 1.2 at the org's travel speed).
 * Pure arithmetic, no storage.
 */
import type { Place } from '../calendar/calendar.js';

/** Mean earth radius in km (IUGG), as Turf uses: the FINDINGS.md reference pair comes out at 97.13 km. */
const EARTH_RADIUS_KM = 6371.0088;
/** Roads are not straight: travel is the straight line x this factor (API.md). */
export const ROAD_FACTOR = 1.2;
/** The org's `travelSpeedKmh` when it has set none (API.md, `/org/settings`). */
export const DEFAULT_TRAVEL_SPEED_KMH = 30;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: Place, b: Place): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Minutes to travel from `a` to `b` at `speedKmh` (straight line x 1.2). */
export function travelMinutes(a: Place, b: Place, speedKmh: number = DEFAULT_TRAVEL_SPEED_KMH): number {
  return ((distanceKm(a, b) * ROAD_FACTOR) / speedKmh) * 60;
}

/** Rounded for answers (the decisions use the exact values). */
export const round1 = (n: number) => Math.round(n * 10) / 10;
