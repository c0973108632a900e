/**
 * Range and bearing on the WGS84 mean sphere (great circle; within 0.5 % of the ellipsoid, well inside what
 * a watch officer reads off a ring) and magnetic declination from the World Magnetic Model via the
 * `geomagnetism` package (WMM2025, valid to Nov 2029). Pure (no DOM): unit-tested.
 */
import geomagnetism from 'geomagnetism';
import type { LatLon } from '../find/coords.js';

const R = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;
export const METRES_PER_NM = 1852;

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial true bearing from a to b, degrees [0, 360). */
export function bearingTrue(a: LatLon, b: LatLon): number {
  const y = Math.sin(rad(b.lon - a.lon)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lon - a.lon));
  return (deg(Math.atan2(y, x)) + 360) % 360;
}

/** Magnetic declination (east positive, degrees) at a place and date, from WMM. */
export function declination(p: LatLon, at: Date = new Date()): number {
  return geomagnetism.model(at, { allowOutOfBoundsModel: true }).point([p.lat, p.lon]).decl;
}

/** Magnetic bearing = true bearing − declination (east declination reads lower on the compass). */
export function toMagnetic(trueDeg: number, decl: number): number {
  return (((trueDeg - decl) % 360) + 360) % 360;
}

/** Point at `distance` metres along initial bearing `brg` from p. */
export function destination(p: LatLon, brg: number, distance: number): LatLon {
  const d = distance / R;
  const lat1 = rad(p.lat);
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(rad(brg)));
  const lon2 = rad(p.lon) + Math.atan2(Math.sin(rad(brg)) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: deg(lat2), lon: ((deg(lon2) + 540) % 360) - 180 };
}

/** A closed ring of `n` points at `radius` metres around p, [lon, lat] pairs for GeoJSON. */
export function ring(p: LatLon, radius: number, n = 96): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i <= n; i++) {
    const q = destination(p, (360 * i) / n, radius);
    out.push([q.lon, q.lat]);
  }
  return out;
}
