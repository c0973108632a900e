/**
 * KML, KMZ and GeoJSON files to shapes the node can share. Bounded before any parsing work: file size, the
 * uncompressed size of a KMZ's KML (a zip bomb is refused by its declared size and again by its real one),
 * feature count and vertices per feature. Each problem is an OverlayError naming the file and the cause.
 */
import { unzipSync } from 'fflate';
import type { ShapeInput } from '../api.js';
import type { CopKey } from '../draw/strings.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_KML_BYTES = 20 * 1024 * 1024;
export const MAX_FEATURES = 500;
export const MAX_VERTICES = 2000;

export class OverlayError extends Error {
  constructor(readonly key: CopKey, readonly params: Record<string, string | number>) {
    super(`${key} ${JSON.stringify(params)}`);
    this.name = 'OverlayError';
  }
}

type Pos = number[];
interface Geom {
  type: string;
  coordinates?: unknown;
  geometries?: Geom[];
}
export interface Feat {
  type?: string;
  geometry?: Geom | null;
  properties?: Record<string, unknown> | null;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

function latLon(p: unknown): [number, number] | undefined {
  if (!Array.isArray(p) || p.length < 2) return undefined;
  const [lon, lat] = p as Pos;
  return typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : undefined;
}

function line(coords: unknown): [number, number][] {
  if (!Array.isArray(coords)) return [];
  return coords.map(latLon).filter((p): p is [number, number] => p !== undefined);
}

/** One feature's geometry as shapes (multi-geometries become one shape per part). */
function shapesOf(g: Geom | null | undefined, base: Omit<ShapeInput, 'kind' | 'points'>, out: ShapeInput[], depth = 0): void {
  // a file is untrusted JSON: a geometry or its parts may be any value, not only the shapes declared above
  if (!g || typeof g !== 'object' || depth > 4) return;
  const push = (kind: ShapeInput['kind'], points: [number, number][]) => {
    if (points.length > MAX_VERTICES) throw new OverlayError('overlay.err.vertices', { name: base.name, n: points.length, max: MAX_VERTICES });
    const min = kind === 'marker' ? 1 : kind === 'polygon' ? 3 : 2;
    if (points.length >= min) out.push({ ...base, kind, points });
  };
  const c = g.coordinates;
  switch (g.type) {
    case 'Point': {
      const p = latLon(c);
      if (p) push('marker', [p]);
      break;
    }
    case 'MultiPoint':
      for (const p of line(c)) push('marker', [p]);
      break;
    case 'LineString':
      push('line', line(c));
      break;
    case 'MultiLineString':
      if (Array.isArray(c)) for (const l of c) push('line', line(l));
      break;
    case 'Polygon':
      if (Array.isArray(c)) push('polygon', openRing(line(c[0])));
      break;
    case 'MultiPolygon':
      if (Array.isArray(c)) for (const poly of c) if (Array.isArray(poly)) push('polygon', openRing(line(poly[0])));
      break;
    case 'GeometryCollection':
      if (Array.isArray(g.geometries)) for (const part of g.geometries) shapesOf(part, base, out, depth + 1);
      break;
  }
}

/** GeoJSON rings repeat the first vertex; the server closes polygons itself. */
function openRing(pts: [number, number][]): [number, number][] {
  const a = pts[0], b = pts[pts.length - 1];
  return pts.length > 1 && a && b && a[0] === b[0] && a[1] === b[1] ? pts.slice(0, -1) : pts;
}

function text(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined;
}

/** Features (from GeoJSON or togeojson's KML conversion) to shapes. */
export function featuresToShapes(file: string, features: Feat[]): ShapeInput[] {
  if (features.length > MAX_FEATURES) throw new OverlayError('overlay.err.tooMany', { file, n: features.length, max: MAX_FEATURES });
  const out: ShapeInput[] = [];
  features.forEach((f: Feat | null | undefined, i) => {
    // a feature that is not an object (null, a number) has nothing to import, like one without geometry
    if (!f || typeof f !== 'object') return;
    const p = f.properties ?? {};
    const name = text(p['name'], 200) ?? text(p['title'], 200) ?? `${file} #${i + 1}`;
    const color = [p['stroke'], p['marker-color'], p['fill']].find((c): c is string => typeof c === 'string' && HEX.test(c));
    const remarks = text(p['description'], 2000);
    shapesOf(f.geometry, { name, ...(color ? { color } : {}), ...(remarks ? { remarks } : {}) }, out);
  });
  if (out.length > MAX_FEATURES) throw new OverlayError('overlay.err.tooMany', { file, n: out.length, max: MAX_FEATURES });
  if (out.length === 0) throw new OverlayError('overlay.err.empty', { file });
  return out;
}

export function parseGeoJson(file: string, source: string): ShapeInput[] {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (e) {
    throw new OverlayError('overlay.err.json', { file, detail: e instanceof Error ? e.message : String(e) });
  }
  const o = json as { type?: unknown; features?: unknown };
  if (o && o.type === 'FeatureCollection' && Array.isArray(o.features)) return featuresToShapes(file, o.features as Feat[]);
  if (o && o.type === 'Feature') return featuresToShapes(file, [o as Feat]);
  if (o && typeof o.type === 'string' && ('coordinates' in o || 'geometries' in o)) return featuresToShapes(file, [{ type: 'Feature', geometry: o as Geom, properties: {} }]);
  throw new OverlayError('overlay.err.geojson', { file });
}

/** The KML document inside a KMZ (doc.kml first), bounded by declared and real size. */
export function unzipKml(file: string, bytes: Uint8Array): string {
  let files: Record<string, Uint8Array>;
  let oversize = 0;
  try {
    // only .kml entries, and only up to the bound by their declared size (nothing else is inflated)
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!f.name.toLowerCase().endsWith('.kml')) return false;
        if (f.originalSize > MAX_KML_BYTES) oversize = Math.max(oversize, f.originalSize);
        return f.originalSize <= MAX_KML_BYTES;
      },
    });
  } catch (e) {
    throw new OverlayError('overlay.err.kmz', { file, detail: e instanceof Error ? e.message : String(e) });
  }
  const names = Object.keys(files).sort((a, b) => (a.toLowerCase() === 'doc.kml' ? -1 : b.toLowerCase() === 'doc.kml' ? 1 : a.localeCompare(b)));
  const first = names[0];
  if (!first && oversize) throw new OverlayError('overlay.err.tooLarge', { file, size: (oversize / 1048576).toFixed(1), max: MAX_KML_BYTES / 1048576 });
  if (!first) throw new OverlayError('overlay.err.kmzNoKml', { file });
  const data = files[first]!;
  if (data.length > MAX_KML_BYTES) throw new OverlayError('overlay.err.tooLarge', { file, size: (data.length / 1048576).toFixed(1), max: MAX_KML_BYTES / 1048576 });
  return new TextDecoder().decode(data);
}
