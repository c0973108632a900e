/**
 * The link between drawn polygons on the map and the request form on the desk: the map registers where its
 * polygons are, "Use as request area" chooses one, and the form offers them as the request's area.
 */
import type { TrackView } from '../../../src/api/contract.js';

let source: () => TrackView[] = () => [];
let chosen: string | undefined;

export function setPolygonSource(fn: () => TrackView[]): void {
  source = fn;
}
export function drawnPolygons(): TrackView[] {
  return source();
}
export function chooseRequestArea(uid: string | undefined): void {
  chosen = uid;
}
export function chosenRequestArea(): string | undefined {
  return chosen;
}

/** A polygon shape as the request's GeoJSON area ([lon, lat], closed ring). */
export function areaOf(t: TrackView): { type: 'Polygon'; coordinates: [number, number][][] } | undefined {
  const s = t.shape;
  if (!s || (s.kind !== 'polygon' && s.kind !== 'rectangle') || s.points.length < 3) return undefined;
  const ring = s.points.slice(0, 999).map((p) => [p[1], p[0]] as [number, number]);
  const a = ring[0]!, b = ring[ring.length - 1]!;
  if (a[0] !== b[0] || a[1] !== b[1]) ring.push(a);
  return ring.length >= 4 ? { type: 'Polygon', coordinates: [ring] } : undefined;
}
