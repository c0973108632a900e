/**
 * Writes the JSON part of the fuzz corpus (run once; the output is committed): request bodies of the
 * REST API, the label fixtures in their REST JSON form, and GeoJSON overlays.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLabelXml } from '../../src/labels/xml.js';
import { labelToJson } from '../../src/labels/json.js';
import { loadPolicies } from '../../src/labels/registry.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'corpus');
const put = (sub: string, name: string, data: unknown): void =>
  writeFileSync(join(dir, sub, name), typeof data === 'string' ? data : JSON.stringify(data));

const label = { classification: 'SECRET', relTo: ['JPN', 'USA'] };
put('json-body', 'login.json', { username: 'alice', password: 'correct horse' });
put('json-body', 'comment.json', { text: 'ack 日本語' });
put('json-body', 'chat.json', { text: 'moving to CP2', label });
put('json-body', 'cot.json', { xml: '<event version="2.0" uid="u-1" type="a-f-G" time="2026-12-02T00:00:00Z" start="2026-12-02T00:00:00Z" stale="2026-12-02T01:00:00Z"><point lat="1" lon="2" hae="0" ce="1" le="1"/><detail/></event>' });
put('json-body', 'shape.json', { shape: { kind: 'polygon', name: 'AO', points: [[35, 139], [35.1, 139], [35.1, 139.1]], color: '#ff0000' }, label });
put('json-body', 'shape-import.json', { shapes: [{ kind: 'marker', name: 'a', points: [[1, 2]] }, { kind: 'circle', name: 'c', points: [[1, 2]], radius: 500 }] });
put('json-body', 'propose.json', { phase: 'alert' });
put('json-body', 'disabled.json', { disabled: true });

const labels = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/labels');
const policies = loadPolicies();
for (const f of readdirSync(labels).filter((f) => f.endsWith('.xml') && !f.startsWith('bad-')).sort()) {
  const xml = readFileSync(join(labels, f), 'utf8');
  try {
    const l = f.startsWith('foreign-') ? parseLabelXml(xml, { policies, arrivedVia: 'USA', receivedAt: '2026-12-01T00:00:00Z' }) : parseLabelXml(xml);
    put('label-json', f.replace(/\.xml$/, '.json'), labelToJson(l));
  } catch {
    // fixtures that need other context have no JSON form here
  }
}

const feature = (geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', geometry, properties });
put('geojson', 'collection.geojson', {
  type: 'FeatureCollection',
  features: [
    feature({ type: 'Point', coordinates: [139.7, 35.6] }, { name: 'HQ', 'marker-color': '#00ff00' }),
    feature({ type: 'LineString', coordinates: [[139, 35], [139.5, 35.5], [140, 35]] }, { title: 'route', stroke: '#0000ff' }),
    feature({ type: 'Polygon', coordinates: [[[139, 35], [140, 35], [140, 36], [139, 35]]] }, { description: 'area', fill: '#123456' }),
  ],
});
put('geojson', 'multi.geojson', feature({ type: 'MultiPolygon', coordinates: [[[[1, 1], [2, 1], [2, 2], [1, 1]]], [[[3, 3], [4, 3], [4, 4], [3, 3]]]] }, { name: 'two' }));
put('geojson', 'geometry-collection.geojson', { type: 'GeometryCollection', geometries: [{ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] }, { type: 'MultiLineString', coordinates: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]] }] });
put('geojson', 'null-geometry.geojson', { type: 'FeatureCollection', features: [feature(null, { name: 'nothing' }), feature({ type: 'Point', coordinates: [1, 2, 3] })] });
// values of the wrong type where objects or arrays belong (a null feature and non-array geometries threw TypeErrors)
put('geojson', 'odd-values.geojson', '{"type":"FeatureCollection","features":[null,5,{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":7}},{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":"x"}]}');
