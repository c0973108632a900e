/**
 * TAK drawing shapes: building the CoT ATAK and WinTAK draw (from a browser drawing or an imported overlay) and
 * reading the geometry back out of any shape event, ours or a TAK client's. The detail layout follows what ATAK
 * itself sends (see test/fixtures/cot/kizuna-drawing-*.xml, kizuna-route-waypoints.xml, kizuna-marker-spot-*.xml):
 * vertices as `<link point="lat,lon"/>`, circles as `<shape><ellipse/>` with a KML style link, colours as signed
 * 32-bit ARGB in `<strokeColor value>` / `<fillColor value>`. Range rings follow ATAK's DrawingCircle (which its
 * u-r-b-c-c range & bearing circle extends): one equal-axis `<ellipse angle="360">` per ring at radius × 1, 2, 3…,
 * which ATAK's importer reads back as base radius (the smallest) and ring count; `<__shapeExtras>` marks the
 * drawing editable with its centre point shown, as ATAK writes it (see kizuna-range-rings-shape-extras.xml).
 */
import type { ShapeKind, ShapeSpec } from '../vocab/index.js';
import type { CotEvent } from './model.js';
import { attributeNames, decodeAttr, elementNames, escapeAttr, readAttributes, scanXml } from './xml-scan.js';
import { UNKNOWN_POINT_VALUE } from './xml.js';

// attribute filters take positions in the input (no name strings): see xml-scan.ts
const POINT_ATTR = attributeNames(['point']);
const VALUE_ATTR = attributeNames(['value']);

export type { ShapeKind, ShapeSpec } from '../vocab/index.js';

/** The CoT type each kind is drawn as. */
export const SHAPE_COT_TYPE: Record<ShapeKind, string> = {
  marker: 'b-m-p-s-m',
  line: 'u-d-f',
  polygon: 'u-d-f',
  rectangle: 'u-d-r',
  circle: 'u-d-c-c',
  rings: 'u-r-b-c-c',
  route: 'b-m-r',
};

/** Vertex bound for one shape (ATAK's own freeform drawings stay far below it). */
export const MAX_SHAPE_POINTS = 2000;
export const MAX_RINGS = 10;
/** 2,000 km: wider than any theatre, small enough that a circle cannot wrap the globe. */
export const MAX_RADIUS_M = 2_000_000;

/** Geometry read from a shape event, for the map (points as [lat, lon]). */
export interface ShapeGeometry {
  kind: ShapeKind | 'ellipse';
  points: [number, number][];
  /** metres, one per ring (circle: one) */
  radii?: number[];
  /** ellipse: semi-axes in metres and rotation in degrees */
  minor?: number;
  angle?: number;
  /** '#rrggbb' and 0..1 alpha */
  stroke?: string;
  strokeOpacity?: number;
  fill?: string;
  fillOpacity?: number;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

/** '#rrggbb' + alpha (0..255) to the signed 32-bit ARGB integer TAK writes. */
export function argbInt(hex: string, alpha = 255): number {
  const rgb = Number.parseInt(hex.slice(1), 16);
  return ((alpha << 24) | rgb) | 0;
}

/** Signed (or unsigned) ARGB integer to '#rrggbb' and opacity. */
export function fromArgb(v: number): { hex: string; opacity: number } {
  const u = v >>> 0;
  const hex = '#' + (u & 0xffffff).toString(16).padStart(6, '0');
  return { hex, opacity: Math.round(((u >>> 24) / 255) * 100) / 100 };
}

function kmlColor(hex: string, alpha: number): string {
  // KML is aabbggrr
  const r = hex.slice(1, 3), g = hex.slice(3, 5), b = hex.slice(5, 7);
  return alpha.toString(16).padStart(2, '0') + b + g + r;
}

const pt = (p: [number, number]) => `${p[0]},${p[1]}`;

function styleDetail(spec: ShapeSpec, filled: boolean): string {
  const color = spec.color && HEX.test(spec.color) ? spec.color : '#ffff00';
  let out = `<strokeColor value="${argbInt(color)}"/><strokeWeight value="3.0"/>`;
  if (filled) out += `<fillColor value="${argbInt(color, 0x40)}"/>`;
  return out;
}

function commonTail(spec: ShapeSpec, labelsOn: boolean): string {
  return `<contact callsign="${escapeAttr(spec.name)}"/><remarks>${escapeText(spec.remarks ?? '')}</remarks><archive/><labels_on value="${labelsOn}"/>`;
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function centroid(points: [number, number][]): [number, number] {
  let lat = 0, lon = 0;
  for (const p of points) {
    lat += p[0];
    lon += p[1];
  }
  return [lat / points.length, lon / points.length];
}

function ellipses(radii: number[]): string {
  return radii.map((r) => `<ellipse major="${r}" minor="${r}" angle="360"/>`).join('');
}

function circleDetail(uid: string, spec: ShapeSpec, radii: number[]): string {
  const color = spec.color && HEX.test(spec.color) ? spec.color : '#ffff00';
  const style = `<link uid="${escapeAttr(uid)}.Style" type="b-x-KmlStyle" relation="p-c"><Style><LineStyle><color>${kmlColor(color, 255)}</color><width>3.0</width></LineStyle><PolyStyle><color>${kmlColor(color, 0x40)}</color></PolyStyle></Style></link>`;
  return `<shape>${ellipses(radii)}${style}</shape><__shapeExtras cpvis="true" editable="true"/>${styleDetail(spec, true)}${commonTail(spec, true)}`;
}

/** Detail XML and anchor point for a spec (validated by the caller's schema; bounds re-checked here). */
export function shapeDetail(uid: string, spec: ShapeSpec): { point: [number, number]; detailXml: string } {
  const pts = spec.points.slice(0, MAX_SHAPE_POINTS);
  const radius = Math.min(Math.max(spec.radius ?? 0, 1), MAX_RADIUS_M);
  switch (spec.kind) {
    case 'marker':
      return { point: pts[0]!, detailXml: `<status readiness="true"/>${commonTail(spec, true)}<color argb="${argbInt(spec.color && HEX.test(spec.color) ? spec.color : '#ffff00')}"/>` };
    case 'circle':
      return { point: pts[0]!, detailXml: circleDetail(uid, spec, [radius]) };
    case 'rings': {
      const n = Math.min(Math.max(Math.round(spec.rings ?? 3), 1), MAX_RINGS);
      return { point: pts[0]!, detailXml: circleDetail(uid, spec, Array.from({ length: n }, (_, i) => radius * (i + 1))) };
    }
    case 'route': {
      const links = pts.map((p, i) => {
        const end = i === 0 || i === pts.length - 1;
        return `<link uid="${escapeAttr(`${uid}.wp${i}`)}" callsign="${end ? escapeAttr(`${spec.name} ${i === 0 ? 'SP' : 'END'}`) : ''}" type="${end ? 'b-m-p-w' : 'b-m-p-c'}" point="${pt(p)}" remarks="" relation="c"/>`;
      });
      return { point: pts[0]!, detailXml: `${links.join('')}<link_attr color="${argbInt(spec.color && HEX.test(spec.color) ? spec.color : '#ffff00')}" method="Driving" direction="Infil" routetype="Primary" order="Ascending Check Points"/>${styleDetail(spec, false)}<__routeinfo><__navcues/></__routeinfo>${commonTail(spec, false)}` };
    }
    default: {
      const ring = spec.kind === 'polygon' && pts.length > 2 && pt(pts[0]!) !== pt(pts[pts.length - 1]!) ? [...pts, pts[0]!] : pts;
      const links = ring.map((p) => `<link point="${pt(p)}"/>`).join('');
      const filled = spec.kind !== 'line';
      return { point: centroid(pts), detailXml: `${links}${styleDetail(spec, filled)}${commonTail(spec, false)}` };
    }
  }
}

/** A whole CoT event for a drawn shape; stale after `staleMs` (a day by default, like ATAK drawings). */
export function buildShapeEvent(uid: string, spec: ShapeSpec, now = Date.now(), staleMs = 24 * 3600_000): CotEvent {
  const { point, detailXml } = shapeDetail(uid, spec);
  const t = new Date(now).toISOString();
  return {
    version: '2.0',
    uid,
    type: SHAPE_COT_TYPE[spec.kind],
    how: 'h-e',
    time: t,
    start: t,
    stale: new Date(now + staleMs).toISOString(),
    point: { lat: point[0], lon: point[1], hae: UNKNOWN_POINT_VALUE, ce: UNKNOWN_POINT_VALUE, le: UNKNOWN_POINT_VALUE },
    detailXml,
    callsign: spec.name,
  };
}

/** The `t-x-d-d` that deletes `target` (rule 6 of the write authority: the target is named in `<link uid>`). */
export function buildDeleteEvent(target: string, now = Date.now()): CotEvent {
  const t = new Date(now).toISOString();
  return {
    version: '2.0',
    uid: `${target}.delete`,
    type: 't-x-d-d',
    how: 'h-g-i-g-o',
    time: t,
    start: t,
    stale: new Date(now + 60_000).toISOString(),
    point: { lat: 0, lon: 0, hae: UNKNOWN_POINT_VALUE, ce: UNKNOWN_POINT_VALUE, le: UNKNOWN_POINT_VALUE },
    detailXml: `<link uid="${escapeAttr(target)}" relation="p-p" type="none"/><__forcedelete/>`,
  };
}

function kindOfType(type: string): ShapeGeometry['kind'] | undefined {
  if (type === 'u-d-f' || type === 'u-d-f-m') return 'line';
  if (type === 'u-d-r') return 'rectangle';
  if (type === 'u-d-c-c') return 'circle';
  if (type === 'u-d-c-e') return 'ellipse';
  if (type === 'u-r-b-c-c') return 'rings';
  if (type === 'b-m-r') return 'route';
  return undefined;
}

function parsePoint(raw: string | undefined): [number, number] | undefined {
  if (!raw) return undefined;
  const [a, b] = raw.split(',');
  const lat = Number(a), lon = Number(b);
  return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : undefined;
}

const SHAPE_ELEMENTS = elementNames(['link', 'shape', 'ellipse', 'strokeColor', 'fillColor'], 1);

/**
 * Geometry of a shape event (undefined for anything that is not a drawing). Linear in the detail: one scan
 * records only the few elements read, and at most MAX_SHAPE_POINTS vertices / MAX_RINGS rings are kept.
 */
export function shapeGeometry(type: string, center: { lat: number; lon: number }, detailXml: string): ShapeGeometry | undefined {
  let kind = kindOfType(type);
  if (!kind || !detailXml) return undefined;
  let records;
  try {
    records = scanXml(detailXml, 'fragment', 1, SHAPE_ELEMENTS).records;
  } catch {
    return undefined;
  }
  const points: [number, number][] = [];
  const radii: number[] = [];
  const geo: ShapeGeometry = { kind, points };
  for (const r of records) {
    if (r.name === 'link' && r.depth === 0 && points.length < MAX_SHAPE_POINTS) {
      const p = parsePoint(decodeAttr(readAttributes(detailXml, r.start, POINT_ATTR).get('point') ?? ''));
      if (p) points.push(p);
    } else if (r.name === 'ellipse' && r.depth === 1 && radii.length < MAX_RINGS) {
      const a = readAttributes(detailXml, r.start);
      const major = Number(a.get('major')), minor = Number(a.get('minor')), angle = Number(a.get('angle'));
      if (Number.isFinite(major) && major > 0) {
        radii.push(Math.min(major, MAX_RADIUS_M));
        if (kind === 'ellipse' && Number.isFinite(minor)) {
          geo.minor = Math.min(minor, MAX_RADIUS_M);
          geo.angle = Number.isFinite(angle) ? angle : 0;
        }
      }
    } else if ((r.name === 'strokeColor' || r.name === 'fillColor') && r.depth === 0) {
      const v = Number(decodeAttr(readAttributes(detailXml, r.start, VALUE_ATTR).get('value') ?? ''));
      if (Number.isFinite(v)) {
        const c = fromArgb(v);
        if (r.name === 'strokeColor') {
          geo.stroke = c.hex;
          geo.strokeOpacity = c.opacity;
        } else {
          geo.fill = c.hex;
          geo.fillOpacity = c.opacity;
        }
      }
    }
  }
  if (kind === 'circle' || kind === 'rings' || kind === 'ellipse') {
    if (radii.length === 0) return undefined;
    geo.points.push([center.lat, center.lon]);
    // ATAK reads rings as a base radius and a count whatever the order they were written in
    if (kind !== 'ellipse') radii.sort((a, b) => a - b);
    geo.radii = radii;
    return geo;
  }
  if (points.length < 2) return undefined;
  if (kind === 'rectangle') kind = 'polygon';
  else if (kind === 'line' && points.length > 3 && pt(points[0]!) === pt(points[points.length - 1]!)) kind = 'polygon';
  geo.kind = kind;
  return geo;
}
