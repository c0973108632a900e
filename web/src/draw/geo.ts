/**
 * Shapes as GeoJSON for MapLibre: circles, range rings and ellipses become polygons of 64 vertices on the
 * sphere (what ATAK draws), vertex lists become lines or polygons. Pure: unit-tested without a browser.
 */
import type { ShapeView, TrackView } from '../../../src/api/contract.js';

const R = 6_371_008.8;
const SEGMENTS = 64;
const rad = (d: number) => (d * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** The point `dist` metres from (lat, lon) on bearing `brg` degrees, as [lon, lat]. */
export function destination(lat: number, lon: number, brg: number, dist: number): [number, number] {
  const d = dist / R, b = rad(brg), p1 = rad(lat), l1 = rad(lon);
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [((deg(l2) + 540) % 360) - 180, deg(p2)];
}

/** Great-circle distance in metres. */
export function distance(a: [number, number], b: [number, number]): number {
  const [la1, lo1] = a, [la2, lo2] = b;
  const h = Math.sin(rad(la2 - la1) / 2) ** 2 + Math.cos(rad(la1)) * Math.cos(rad(la2)) * Math.sin(rad(lo2 - lo1) / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Closed ring of [lon, lat] around a centre; an ellipse when `minor` is given (`angle`: rotation of the major axis). */
export function ring(lat: number, lon: number, major: number, minor = major, angle = 0): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i <= SEGMENTS; i++) {
    const th = (2 * Math.PI * i) / SEGMENTS;
    const x = major * Math.cos(th), y = minor * Math.sin(th);
    const r = Math.hypot(x, y);
    const brg = deg(Math.atan2(y, x)) + angle;
    out.push(destination(lat, lon, brg, r));
  }
  return out;
}

export interface ShapeProps {
  uid: string;
  name: string;
  stroke: string;
  fill: string;
  fillOpacity: number;
  portion: string;
  labelColor: string;
}

type Geometry = { type: 'LineString'; coordinates: [number, number][] } | { type: 'Polygon'; coordinates: [number, number][][] } | { type: 'Point'; coordinates: [number, number] };
export interface ShapeFeature {
  type: 'Feature';
  id?: number;
  properties: ShapeProps;
  geometry: Geometry;
}

const lonLat = (p: [number, number]): [number, number] => [p[1], p[0]];

export function propsOf(t: TrackView, s: ShapeView): ShapeProps {
  return {
    uid: t.uid,
    name: t.callsign,
    stroke: s.stroke ?? '#ffff00',
    fill: s.fill ?? s.stroke ?? '#ffff00',
    fillOpacity: s.fill ? Math.min(s.fillOpacity ?? 0.25, 0.6) : 0,
    portion: t.label.portion,
    labelColor: t.label.color,
  };
}

/** One or more features for a shape track (range rings: one ring each). */
export function shapeFeatures(t: TrackView): ShapeFeature[] {
  const s = t.shape;
  if (!s) return [];
  const properties = propsOf(t, s);
  const c = s.points[0];
  if (!c) return [];
  switch (s.kind) {
    case 'circle':
    case 'rings':
    case 'ellipse':
      return (s.radii ?? []).map((r, i) => ({
        type: 'Feature',
        properties: i === 0 ? properties : { ...properties, fillOpacity: 0 },
        geometry: { type: 'Polygon', coordinates: [ring(c[0], c[1], r, s.kind === 'ellipse' ? (s.minor ?? r) : r, s.kind === 'ellipse' ? (s.angle ?? 0) - 90 : 0)] },
      }));
    case 'polygon':
    case 'rectangle': {
      const pts = s.points.map(lonLat);
      const first = pts[0]!, last = pts[pts.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) pts.push(first);
      return [{ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [pts] } }];
    }
    case 'marker':
      return [{ type: 'Feature', properties, geometry: { type: 'Point', coordinates: lonLat(c) } }];
    default:
      return [{ type: 'Feature', properties: { ...properties, fillOpacity: 0 }, geometry: { type: 'LineString', coordinates: s.points.map(lonLat) } }];
  }
}
