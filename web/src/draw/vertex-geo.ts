/**
 * The geometry of a shape being edited, and the edits on it: move a vertex, add one at a segment's midpoint,
 * remove one, move a circle's centre or set its radius from a handle. Pure (no map, no DOM): unit-tested without
 * a browser. Points are [lat, lon] like the shape API.
 */
import type { ShapeView } from '../../../src/api/contract.js';
import type { ShapeInput } from '../api.js';
import { destination, distance } from './geo.js';

export type EditKind = 'line' | 'route' | 'polygon' | 'circle' | 'rings';
export type LatLon = [number, number];

export interface EditGeometry {
  kind: EditKind;
  /** vertices; for circle and rings the centre alone */
  points: LatLon[];
  /** metres: circle radius, or the spacing of the rings */
  radius?: number;
  rings?: number;
}

/** A handle on the map: a vertex (or centre / radius point) to drag, or a midpoint that adds a vertex. */
export interface Handle {
  role: 'vertex' | 'centre' | 'radius' | 'mid';
  /** vertex index; for `mid`, the vertex the new one follows */
  index: number;
  at: LatLon;
}

/** Vertices a kind keeps at least (the server's schema asks the same). */
export const MIN_VERTICES: Record<'line' | 'route' | 'polygon', number> = { line: 2, route: 2, polygon: 3 };
/** Beyond this many vertices the map shows no handles (a long freehand line): each handle is a DOM element. */
export const MAX_EDIT_VERTICES = 500;

const same = (a: LatLon, b: LatLon) => a[0] === b[0] && a[1] === b[1];

/** What of a shape can be edited here (undefined: ellipses, markers, or too many vertices). */
export function editableOf(s: ShapeView): EditGeometry | undefined {
  const pts = s.points.map((p) => [p[0], p[1]] as LatLon);
  if (s.kind === 'circle' || s.kind === 'rings') {
    const c = pts[0], r = s.radii?.[0];
    if (!c || !r) return undefined;
    return s.kind === 'rings' ? { kind: 'rings', points: [c], radius: r, rings: s.radii!.length } : { kind: 'circle', points: [c], radius: r };
  }
  if (s.kind === 'polygon' || s.kind === 'rectangle') {
    // the closing vertex is written again by the encoder
    const open = pts.length > 3 && same(pts[0]!, pts[pts.length - 1]!) ? pts.slice(0, -1) : pts;
    return open.length >= 3 && open.length <= MAX_EDIT_VERTICES ? { kind: 'polygon', points: open } : undefined;
  }
  if (s.kind === 'line' || s.kind === 'route') return pts.length >= 2 && pts.length <= MAX_EDIT_VERTICES ? { kind: s.kind, points: pts } : undefined;
  return undefined;
}

const round = (v: number) => Math.round(v * 1e7) / 1e7;
const mid = (a: LatLon, b: LatLon): LatLon => [round((a[0] + b[0]) / 2), round((a[1] + b[1]) / 2)];

export function handlesOf(g: EditGeometry): Handle[] {
  if (g.kind === 'circle' || g.kind === 'rings') {
    const c = g.points[0]!;
    const [lon, lat] = destination(c[0], c[1], 90, g.radius ?? 1);
    return [{ role: 'centre', index: 0, at: c }, { role: 'radius', index: 0, at: [lat, lon] }];
  }
  const out: Handle[] = g.points.map((at, index) => ({ role: 'vertex', index, at }));
  const n = g.points.length;
  const segments = g.kind === 'polygon' ? n : n - 1;
  for (let i = 0; i < segments; i++) out.push({ role: 'mid', index: i, at: mid(g.points[i]!, g.points[(i + 1) % n]!) });
  return out;
}

/** The geometry after a handle was dragged to `to`. */
export function dragTo(g: EditGeometry, h: Handle, to: LatLon): EditGeometry {
  const p: LatLon = [round(to[0]), round(to[1])];
  if (h.role === 'centre') return { ...g, points: [p] };
  if (h.role === 'radius') return { ...g, radius: Math.max(1, Math.round(distance(g.points[0]!, p))) };
  if (h.role === 'mid') return insertAfter(g, h.index, p);
  return { ...g, points: g.points.map((q, i) => (i === h.index ? p : q)) };
}

/** A new vertex after vertex `index` (a midpoint handle clicked or dragged). */
export function insertAfter(g: EditGeometry, index: number, at?: LatLon): EditGeometry {
  if (g.kind === 'circle' || g.kind === 'rings' || g.points.length >= MAX_EDIT_VERTICES) return g;
  const n = g.points.length;
  const p = at ?? mid(g.points[index]!, g.points[(index + 1) % n]!);
  return { ...g, points: [...g.points.slice(0, index + 1), p, ...g.points.slice(index + 1)] };
}

export function canRemove(g: EditGeometry): boolean {
  return g.kind !== 'circle' && g.kind !== 'rings' && g.points.length > MIN_VERTICES[g.kind];
}

export function removeVertex(g: EditGeometry, index: number): EditGeometry {
  if (!canRemove(g) || index < 0 || index >= g.points.length) return g;
  return { ...g, points: g.points.filter((_, i) => i !== index) };
}

/** The geometry as the [lon, lat] line drawn while editing (closed for polygons, a ring for circles). */
export function outlineOf(g: EditGeometry, ringOf: (lat: number, lon: number, r: number) => [number, number][]): [number, number][][] {
  if (g.kind === 'circle' || g.kind === 'rings') {
    const c = g.points[0]!, n = g.kind === 'rings' ? (g.rings ?? 1) : 1;
    return Array.from({ length: n }, (_, i) => ringOf(c[0], c[1], (g.radius ?? 1) * (i + 1)));
  }
  const ll = g.points.map((p) => [p[1], p[0]] as [number, number]);
  return [g.kind === 'polygon' ? [...ll, ll[0]!] : ll];
}

/** The update for /api/shapes: same uid, name and colour, the edited geometry. */
export function updateOf(uid: string, name: string, color: string, g: EditGeometry, remarks?: string): ShapeInput {
  const shape: ShapeInput = { uid, kind: g.kind, name, points: g.points, color };
  if (g.kind === 'circle' || g.kind === 'rings') shape.radius = g.radius ?? 1;
  if (g.kind === 'rings') shape.rings = g.rings ?? 1;
  if (remarks) shape.remarks = remarks;
  return shape;
}
