/**
 * Export of what this user sees: the tracks passing the current filters and every shape on the map, as
 * GeoJSON or KML, with the banner's label in the file's metadata and each object's own portion marking.
 * Built only from what the node already released to this browser (the WebSocket picture), so an export can
 * never hold more than the screen does.
 */
import type { LabelView, TrackView } from '../../../src/api/contract.js';
import { shapeFeatures } from '../draw/geo.js';
import { en, ja } from '../i18n.js';

export interface ExportMeta {
  /** the banner: the highest label of everything this user is shown */
  banner: LabelView | undefined;
  node: string;
  user: string;
  at: string;
}

type Geometry = { type: 'Point'; coordinates: [number, number] } | { type: 'LineString'; coordinates: [number, number][] } | { type: 'Polygon'; coordinates: [number, number][][] };
interface Feature {
  type: 'Feature';
  geometry: Geometry;
  properties: Record<string, string | number>;
}

function props(t: TrackView): Record<string, string | number> {
  return { uid: t.uid, name: t.callsign, type: t.type, origin: t.origin, time: t.time, classification: t.label.marking, portion: t.label.portion };
}

export function exportFeatures(tracks: TrackView[], shapes: TrackView[]): Feature[] {
  const out: Feature[] = tracks.map((t) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [t.lon, t.lat] }, properties: props(t) }));
  for (const s of shapes) {
    for (const f of shapeFeatures(s)) out.push({ type: 'Feature', geometry: f.geometry, properties: { ...props(s), stroke: f.properties.stroke, kind: s.shape?.kind ?? '' } });
  }
  return out;
}

function metaOf(m: ExportMeta): Record<string, string> {
  return {
    // before the first banner: the default banner's own words, the one rendering of UNCLASSIFIED in each language
    classification: m.banner?.marking ?? en['banner.default'],
    classificationJa: m.banner?.markingJa ?? ja['banner.default'],
    node: m.node,
    exportedBy: m.user,
    exportedAt: m.at,
  };
}

export function toGeoJson(features: Feature[], m: ExportMeta): string {
  return JSON.stringify({ type: 'FeatureCollection', metadata: metaOf(m), features }, null, 1);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const coord = (c: [number, number]) => `${c[0]},${c[1]}`;

function kmlGeometry(g: Geometry): string {
  if (g.type === 'Point') return `<Point><coordinates>${coord(g.coordinates)}</coordinates></Point>`;
  if (g.type === 'LineString') return `<LineString><coordinates>${g.coordinates.map(coord).join(' ')}</coordinates></LineString>`;
  return `<Polygon><outerBoundaryIs><LinearRing><coordinates>${g.coordinates[0]!.map(coord).join(' ')}</coordinates></LinearRing></outerBoundaryIs></Polygon>`;
}

function kmlColor(hex: unknown): string | undefined {
  if (typeof hex !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(hex)) return undefined;
  return `ff${hex.slice(5, 7)}${hex.slice(3, 5)}${hex.slice(1, 3)}`;
}

/** KML 2.2; the banner label goes in the document's ExtendedData and its description, each object's in its own. */
export function toKml(features: Feature[], m: ExportMeta): string {
  const meta = metaOf(m);
  const data = (o: Record<string, string | number>) =>
    `<ExtendedData>${Object.entries(o).map(([k, v]) => `<Data name="${esc(k)}"><value>${esc(String(v))}</value></Data>`).join('')}</ExtendedData>`;
  const marks = features.map((f) => {
    const color = kmlColor(f.properties['stroke']);
    const style = color ? `<Style><LineStyle><color>${color}</color><width>2</width></LineStyle><PolyStyle><color>40${color.slice(2)}</color></PolyStyle></Style>` : '';
    return `<Placemark><name>${esc(`${f.properties['portion']} ${f.properties['name']}`)}</name>${style}${data(f.properties)}${kmlGeometry(f.geometry)}</Placemark>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' +
    `<name>${esc(`${meta['classification']} — Kizuna ${m.node} ${m.at}`)}</name>` +
    `<description>${esc(`Classification: ${meta['classification']}`)}</description>` +
    data(meta) +
    marks.join('') +
    '</Document></kml>\n'
  );
}
